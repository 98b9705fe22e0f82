package io.boson.webhooks;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The part of Mustache that Particle's webhook templates use: {@code {{name}}} (HTML-escaped),
 * {@code {{{name}}}} and {@code {{&name}}} (raw), dotted paths with array indexes
 * ({@code {{c.0.ca}}}), sections {@code {{#x}}…{{/x}}} (truthy values, lists iterate) and inverted
 * sections {@code {{^x}}…{{/x}}}. Names resolve against a stack of JSON contexts, innermost first.
 * A missing name renders as nothing, as in Mustache. No partials, no delimiter changes, no lambdas.
 */
final class Template {

    private Template() {
    }

    /** Renders {@code template} against {@code root}; a malformed template renders what it can, literally. */
    static String render(String template, JsonNode root) {
        if (template == null || template.indexOf("{{") < 0) return template;
        StringBuilder out = new StringBuilder(template.length() + 32);
        List<JsonNode> stack = new ArrayList<>();
        stack.add(root);
        render(template, 0, template.length(), stack, out);
        return out.toString();
    }

    /** Whether {@code text} contains a Mustache tag. */
    static boolean hasTags(String text) {
        return text != null && text.contains("{{");
    }

    private static void render(String t, int from, int to, List<JsonNode> stack, StringBuilder out) {
        int i = from;
        while (i < to) {
            int open = t.indexOf("{{", i);
            if (open < 0 || open >= to) {
                out.append(t, i, to);
                return;
            }
            out.append(t, i, open);
            boolean triple = t.startsWith("{{{", open);
            int close = t.indexOf(triple ? "}}}" : "}}", open + (triple ? 3 : 2));
            if (close < 0 || close >= to) {
                out.append(t, open, to);
                return;
            }
            String tag = t.substring(open + (triple ? 3 : 2), close).trim();
            int after = close + (triple ? 3 : 2);
            if (triple) {
                out.append(text(lookup(stack, tag)));
                i = after;
                continue;
            }
            char kind = tag.isEmpty() ? ' ' : tag.charAt(0);
            switch (kind) {
                case '!' -> i = after;
                case '&' -> {
                    out.append(text(lookup(stack, tag.substring(1).trim())));
                    i = after;
                }
                case '#', '^' -> {
                    String name = tag.substring(1).trim();
                    int[] end = sectionEnd(t, after, to, name);
                    if (end == null) {
                        out.append(t, open, to);
                        return;
                    }
                    JsonNode v = lookup(stack, name);
                    if (kind == '^') {
                        if (!truthy(v)) render(t, after, end[0], stack, out);
                    } else if (v != null && v.isArray()) {
                        for (JsonNode item : v) {
                            stack.add(item);
                            render(t, after, end[0], stack, out);
                            stack.remove(stack.size() - 1);
                        }
                    } else if (truthy(v)) {
                        stack.add(v);
                        render(t, after, end[0], stack, out);
                        stack.remove(stack.size() - 1);
                    }
                    i = end[1];
                }
                case '/' -> i = after; // a stray closing tag
                default -> {
                    out.append(escape(text(lookup(stack, tag))));
                    i = after;
                }
            }
        }
    }

    /** The start of the matching {@code {{/name}}} and the index after it, counting nested sections of the same name. */
    private static int[] sectionEnd(String t, int from, int to, String name) {
        int depth = 1;
        int i = from;
        while (i < to) {
            int open = t.indexOf("{{", i);
            if (open < 0 || open >= to) return null;
            int close = t.indexOf("}}", open + 2);
            if (close < 0 || close >= to) return null;
            String tag = t.substring(open + 2, close).trim();
            if ((tag.startsWith("#") || tag.startsWith("^")) && tag.substring(1).trim().equals(name)) depth++;
            if (tag.startsWith("/") && tag.substring(1).trim().equals(name) && --depth == 0) return new int[] {open, close + 2};
            i = close + 2;
        }
        return null;
    }

    private static JsonNode lookup(List<JsonNode> stack, String path) {
        if (path.equals(".")) return stack.get(stack.size() - 1);
        String[] parts = path.split("\\.");
        for (int s = stack.size() - 1; s >= 0; s--) {
            JsonNode first = child(stack.get(s), parts[0]);
            if (first == null) continue;
            JsonNode n = first;
            for (int p = 1; p < parts.length && n != null; p++) n = child(n, parts[p]);
            return n;
        }
        return null;
    }

    private static JsonNode child(JsonNode n, String name) {
        if (n == null) return null;
        if (n.isObject()) return n.get(name);
        if (n.isArray()) {
            try {
                return n.get(Integer.parseInt(name));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static boolean truthy(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) return false;
        if (v.isBoolean()) return v.booleanValue();
        if (v.isArray()) return !v.isEmpty();
        if (v.isTextual()) return !v.textValue().isEmpty();
        return true;
    }

    /** Scalars as their text; objects and arrays as JSON. */
    private static String text(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) return "";
        if (v.isValueNode()) return v.asText();
        return v.toString();
    }

    private static String escape(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            String r = switch (s.charAt(i)) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                default -> null;
            };
            if (r != null && b == null) b = new StringBuilder(s.length() + 16).append(s, 0, i);
            if (b != null) {
                if (r != null) b.append(r);
                else b.append(s.charAt(i));
            }
        }
        return b == null ? s : b.toString();
    }
}
