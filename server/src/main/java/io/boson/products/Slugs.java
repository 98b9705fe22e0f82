package io.boson.products;

import java.text.Normalizer;
import java.util.Locale;
import java.util.function.Predicate;

/** URL names for products and organizations: "My Fleet 2" becomes "my-fleet-2", then "my-fleet-2-1", … until free. */
public final class Slugs {

    private Slugs() {
    }

    /** Whether a path segment names a numeric id rather than a slug (a slug is never all digits). */
    public static boolean isId(String idOrSlug) {
        return !idOrSlug.isEmpty() && idOrSlug.length() < 18 && idOrSlug.chars().allMatch(Character::isDigit);
    }

    /** A slug is never all digits, so it never reads as an id. */
    public static String unique(String name, String fallback, Predicate<String> taken) {
        String base = Normalizer.normalize(name, Normalizer.Form.NFKD).replaceAll("\\p{M}", "")
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        if (base.isEmpty()) base = fallback;
        if (base.chars().allMatch(Character::isDigit)) base = fallback + "-" + base;
        if (base.length() > 80) base = base.substring(0, 80);
        String slug = base;
        for (int i = 1; taken.test(slug); i++) slug = base + "-" + i;
        return slug;
    }
}
