package io.boson.bus;

/** One message as a subscriber sees it; {@code replyTo} is null unless the sender awaits a reply. */
public record BusMessage(String subject, String replyTo, byte[] data) {
}
