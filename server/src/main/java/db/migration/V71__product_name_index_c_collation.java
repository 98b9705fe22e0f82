package db.migration;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Statement;

/**
 * PostgreSQL only: the product name index compares names by code point (the "C" collation), as H2
 * does, so that a name prefix is a key range whatever the database's collation (a b-tree in a
 * linguistic collation cannot serve {@code LIKE 'x%'}, and ignores '-' and '_' when sorting), and
 * both databases sort names the same way. H2 has no per-column collation and needs nothing.
 */
public class V71__product_name_index_c_collation extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        String product = context.getConnection().getMetaData().getDatabaseProductName();
        if (!product.toLowerCase().contains("postgresql")) return;
        try (Statement s = context.getConnection().createStatement()) {
            s.execute("DROP INDEX devices_product_name");
            s.execute("CREATE INDEX devices_product_name ON devices(product_id, (name COLLATE \"C\"), id)");
        }
    }
}
