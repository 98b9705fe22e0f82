-- How many devices each product has, and a generation that changes with its membership.
-- Import and removal update the row in the transaction that changes devices.product_id (and lock
-- it first, so that membership changes of one product take turns), so the count is exact at every
-- commit on every node: an unfiltered product device list reads it instead of COUNT(*) over the
-- product. The generation tells a node whether the page boundaries it remembers for keyset paging
-- (ProductDevicePages) still hold: they do while no device joined or left the product.
CREATE TABLE product_device_counts (
    product_id BIGINT PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
    devices    BIGINT NOT NULL,
    generation BIGINT NOT NULL
);
INSERT INTO product_device_counts(product_id, devices, generation)
SELECT p.id, (SELECT COUNT(*) FROM devices d WHERE d.product_id = p.id), 0 FROM products p;
