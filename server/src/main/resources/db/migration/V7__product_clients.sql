-- OAuth clients may belong to a product (created by its team) instead of an account.
ALTER TABLE oauth_clients ADD COLUMN product_id BIGINT REFERENCES products(id) ON DELETE CASCADE;
ALTER TABLE oauth_clients ADD COLUMN redirect_uri VARCHAR(2000);
CREATE INDEX oauth_clients_owner ON oauth_clients(owner_user_id);
CREATE INDEX oauth_clients_product ON oauth_clients(product_id);
