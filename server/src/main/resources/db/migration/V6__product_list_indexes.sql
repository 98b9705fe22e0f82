-- Product device lists sort by (name | last_heard, id) within a product: indexes that end in id
-- let both H2 and PostgreSQL read a page in order instead of sorting the whole product.
DROP INDEX devices_product_name;
DROP INDEX devices_product_heard;
CREATE INDEX devices_product_name ON devices(product_id, name, id);
CREATE INDEX devices_product_heard ON devices(product_id, last_heard, id);
