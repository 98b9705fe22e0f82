-- Kinds of account: people ('user', API users included), a product's shadow customers ('customer'),
-- and the one machine account per product that product-client tokens act as ('product').
-- Customers and product accounts belong to a product; a customer is known by email within it.
ALTER TABLE users ADD COLUMN kind VARCHAR(10) DEFAULT 'user' NOT NULL;
ALTER TABLE users ADD COLUMN product_id BIGINT REFERENCES products(id) ON DELETE CASCADE;
ALTER TABLE users ADD COLUMN email VARCHAR(254);
CREATE UNIQUE INDEX users_product_email ON users(product_id, email);
-- A deleted client takes the tokens issued through it.
CREATE INDEX access_tokens_client ON access_tokens(client_id);
