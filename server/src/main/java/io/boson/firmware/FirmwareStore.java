package io.boson.firmware;

import io.boson.audit.AuditLog;
import io.boson.auth.Principal;
import io.boson.errors.DomainException;
import io.boson.products.Product;
import io.boson.products.ProductService;
import io.boson.team.Action;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A product's firmware versions: upload (a compiled binary, never text or source, within the size
 * limit; versions unique per product, SHA-256 kept), list, get, binary, edit and delete of a
 * version never released. Viewing is {@code VIEW_FIRMWARE}; changing, {@code MANAGE_FIRMWARE}.
 */
public final class FirmwareStore {

    public static final int DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
    public static final int MAX_TITLE = 200;
    public static final int MAX_DESCRIPTION = 4000;

    private final ProductService products;
    private final FirmwareRepository repo;
    private final AuditLog audit;
    private final Clock clock;
    private final int maxBytes;

    public FirmwareStore(ProductService products, FirmwareRepository repo, AuditLog audit, Clock clock, int maxBytes) {
        this.products = products;
        this.repo = repo;
        this.audit = audit;
        this.clock = clock;
        this.maxBytes = maxBytes;
    }

    /** Refuses a caller who may not upload to the product, before the upload is read at all. */
    public void mayUpload(Principal caller, String product) {
        products.require(caller, product, Action.MANAGE_FIRMWARE);
    }

    public Firmware upload(Principal caller, String product, Integer version, String title, String description,
                           String fileName, byte[] data) {
        Product p = products.require(caller, product, Action.MANAGE_FIRMWARE);
        int v = validVersion(version);
        requireBinary(fileName, data);
        String t = title == null || title.isBlank() ? "Version " + v : title.trim();
        if (t.length() > MAX_TITLE) throw DomainException.invalid("title is at most " + MAX_TITLE + " characters");
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw DomainException.invalid("description is at most " + MAX_DESCRIPTION + " characters");
        }
        String name = fileName == null || fileName.isBlank() ? "firmware.bin" : fileName;
        if (name.length() > 200) name = name.substring(name.length() - 200);
        if (!repo.insert(p.id(), v, t, description, name, data, sha256(data), caller.userId(), clock.millis())) {
            throw DomainException.conflict("Version " + v + " already exists in this product; versions are unique");
        }
        audit.record(caller, p.id(), "firmware.upload", "v" + v, data.length + " bytes");
        return repo.find(p.id(), v).orElseThrow();
    }

    void requireBinary(String fileName, byte[] data) {
        if (data == null) throw DomainException.invalid("Send the firmware binary as the multipart file part \"file\"");
        if (data.length == 0) throw DomainException.invalid("The firmware file is empty");
        if (data.length > maxBytes) throw DomainException.invalid("The firmware file is larger than " + maxBytes + " bytes");
        String lower = fileName == null ? "" : fileName.toLowerCase(Locale.ROOT);
        // A compiled image always holds NUL bytes (vector table, padding); source code and text never do.
        if (lower.matches(".*\\.(c|cpp|h|hpp|ino|txt|json|zip)$") || looksLikeText(data)) {
            throw DomainException.invalid("The file must be a compiled firmware binary (.bin), not source code or text");
        }
    }

    private static boolean looksLikeText(byte[] data) {
        for (byte b : data) if (b == 0) return false;
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    public List<Firmware> list(Principal caller, String product) {
        return repo.list(products.require(caller, product, Action.VIEW_FIRMWARE).id());
    }

    public Firmware get(Principal caller, String product, String version) {
        return find(products.require(caller, product, Action.VIEW_FIRMWARE), version);
    }

    public byte[] binary(Principal caller, String product, String version) {
        Product p = products.require(caller, product, Action.VIEW_FIRMWARE);
        return repo.binary(p.id(), find(p, version).version()).orElseThrow(() -> DomainException.notFound("Firmware not found"));
    }

    public Firmware edit(Principal caller, String product, String version, String title, String description) {
        Product p = products.require(caller, product, Action.MANAGE_FIRMWARE);
        Firmware f = find(p, version);
        String t = title == null ? f.title() : title.trim();
        if (t.isEmpty() || t.length() > MAX_TITLE) throw DomainException.invalid("title is 1 to " + MAX_TITLE + " characters");
        String d = description == null ? f.description() : description;
        if (d != null && d.length() > MAX_DESCRIPTION) throw DomainException.invalid("description is at most " + MAX_DESCRIPTION + " characters");
        repo.updateInfo(p.id(), f.version(), t, d, clock.millis());
        audit.record(caller, p.id(), "firmware.edit", "v" + f.version(), null);
        return repo.find(p.id(), f.version()).orElseThrow();
    }

    public void delete(Principal caller, String product, String version) {
        Product p = products.require(caller, product, Action.MANAGE_FIRMWARE);
        Firmware f = find(p, version);
        if (!repo.deleteUnreleased(p.id(), f.version())) {
            throw DomainException.conflict("Version " + f.version() + " was released; released versions are kept");
        }
        audit.record(caller, p.id(), "firmware.delete", "v" + f.version(), null);
    }

    Firmware find(Product p, String version) {
        int v;
        try {
            v = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw DomainException.invalid("The firmware version must be a number from 1 to 65535");
        }
        return repo.find(p.id(), validVersion(v)).orElseThrow(() -> DomainException.notFound("Firmware version " + v
                + " was not uploaded to this product"));
    }

    static int validVersion(Integer version) {
        if (version == null) throw DomainException.invalid("version is required: a number from 1 to 65535");
        if (version < Firmware.MIN_VERSION || version > Firmware.MAX_VERSION) {
            throw DomainException.invalid("version must be from 1 to 65535, not " + version);
        }
        return version;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
