package io.boson.groups;

/** A named set of a product's devices (a device may be in any number of groups). */
public record Group(long id, long productId, String name, String description, String color, long deviceCount) {
}
