-- API users: programmatic accounts on one product's team, limited to scopes instead of a role.
ALTER TABLE users ADD COLUMN programmatic BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE product_members ADD COLUMN scopes VARCHAR(2000);
