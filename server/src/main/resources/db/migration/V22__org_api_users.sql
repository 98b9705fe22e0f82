-- API users of an organization: programmatic members whose scopes apply to every org product.
ALTER TABLE org_members ADD COLUMN scopes VARCHAR(2000);
