-- Product team members and their roles (issue: who may do what). The product's owner is a member
-- with the role OWNER; existing products get theirs here.
CREATE TABLE product_members (
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       VARCHAR(20) NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (product_id, user_id)
);
CREATE INDEX product_members_user ON product_members(user_id);

INSERT INTO product_members(product_id, user_id, role, created_at)
SELECT id, owner_user_id, 'OWNER', created_at FROM products WHERE owner_user_id IS NOT NULL;
