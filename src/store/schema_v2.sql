-- briefbot schema 2: the language a runtime digest posts in.

-- A locale tag (`fr`) or Discord locale (`pt-BR`); NULL follows the guild's locale.
ALTER TABLE digests ADD COLUMN lang TEXT;
