package io.boson.customers;

import io.boson.audit.AuditLog;
import io.boson.auth.AccountRepository;
import io.boson.auth.AuthService;
import io.boson.auth.ClientCredentials;
import io.boson.auth.Principal;
import io.boson.auth.Secrets;
import io.boson.auth.User;
import io.boson.devices.Device;
import io.boson.devices.DeviceRepository;
import io.boson.devices.DeviceService;
import io.boson.errors.DomainException;
import io.boson.products.Product;
import io.boson.products.ProductService;
import io.boson.team.Action;

import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A product's shadow customers (Particle's two-legged auth): accounts the product's own app creates
 * with the product's OAuth client, known by email within the product. A customer sees only the
 * devices claimed to them, and claims them with claim codes; product and team APIs refuse them.
 */
public final class CustomerService {

    private static final Pattern EMAIL = Pattern.compile("[^\\s@/]{1,64}@[^\\s@/]{1,189}");

    private final AccountRepository accounts;
    private final AuthService auth;
    private final ProductService products;
    private final DeviceRepository deviceRepo;
    private final DeviceService devices;
    private final AuditLog audit;
    private final Clock clock;

    public CustomerService(AccountRepository accounts, AuthService auth, ProductService products, DeviceRepository deviceRepo,
                           DeviceService devices, AuditLog audit, Clock clock) {
        this.accounts = accounts;
        this.auth = auth;
        this.products = products;
        this.deviceRepo = deviceRepo;
        this.devices = devices;
        this.audit = audit;
        this.clock = clock;
    }

    /** A customer and the devices claimed to them. */
    public record Customer(long id, String email, long createdAt, List<String> deviceIds) {
    }

    /**
     * Creates a customer with the product's OAuth client (as particle-api-js {@code createCustomer}
     * does) and logs them in: the answer is a token for the new customer.
     */
    public AuthService.IssuedToken createWithClient(ClientCredentials client, String remoteAddress, String product,
                                                   String email, String password, boolean noPassword) {
        long productId = auth.productOfClient(client.id(), client.secret());
        Product p = products.lookup(product).filter(x -> x.id() == productId)
                .orElseThrow(() -> DomainException.notFound("Product not found"));
        User customer = create(p, email, password, noPassword);
        audit.recordClient(client.id(), remoteAddress, p.id(), "customer.create", customer.email());
        return auth.issueCustomerToken(customer.id(), client.id());
    }

    /** Creates a customer as a team member whose role may manage customers; no token is issued. */
    public Customer create(Principal caller, String product, String email, String password, boolean noPassword) {
        Product p = products.require(caller, product, Action.MANAGE_CUSTOMERS);
        User customer = create(p, email, password, noPassword);
        audit.record(caller, p.id(), "customer.create", customer.email(), null);
        return new Customer(customer.id(), customer.email(), customer.createdAt(), List.of());
    }

    private User create(Product p, String email, String password, boolean noPassword) {
        String e = normalize(email);
        if (noPassword == (password != null && !password.isEmpty())) {
            throw DomainException.invalid("Give a password, or no_password=true for a customer who never logs in with one");
        }
        if (!noPassword && password.length() < AuthService.MIN_PASSWORD_LENGTH) {
            throw DomainException.invalid("password must be at least " + AuthService.MIN_PASSWORD_LENGTH + " characters");
        }
        if (accounts.findProductUser(p.id(), User.Kind.CUSTOMER, e).isPresent()) {
            throw DomainException.conflict("A customer with this email already exists in this product");
        }
        return accounts.createProductUser(p.id(), User.Kind.CUSTOMER, e, noPassword ? "none" : Secrets.hashPassword(password),
                clock.millis());
    }

    public List<Customer> list(Principal caller, String product) {
        Product p = products.require(caller, product, Action.VIEW_CUSTOMERS);
        return accounts.customers(p.id()).stream().map(this::view).toList();
    }

    public Customer get(Principal caller, String product, String email) {
        Product p = products.require(caller, product, Action.VIEW_CUSTOMERS);
        return view(customer(p, email));
    }

    public Customer setPassword(Principal caller, String product, String email, String password) {
        Product p = products.require(caller, product, Action.MANAGE_CUSTOMERS);
        User c = customer(p, email);
        if (password == null || password.length() < AuthService.MIN_PASSWORD_LENGTH) {
            throw DomainException.invalid("password must be at least " + AuthService.MIN_PASSWORD_LENGTH + " characters");
        }
        accounts.setPassword(c.id(), Secrets.hashPassword(password));
        audit.record(caller, p.id(), "customer.password", c.email(), null);
        return view(c);
    }

    /**
     * Removes a customer: their tokens end at once (streams included), their claim codes go with the
     * account, and their devices are released back to the product, unclaimed.
     */
    public void delete(Principal caller, String product, String email) {
        Product p = products.require(caller, product, Action.MANAGE_CUSTOMERS);
        User c = customer(p, email);
        List<Device> owned = deviceRepo.listByOwner(c.id());
        for (Device d : owned) deviceRepo.unclaim(d.id(), c.id());
        auth.revokeAll(c.id());
        accounts.deleteUser(c.id());
        for (Device d : owned) deviceRepo.find(d.id()).ifPresent(devices::changed);
        audit.record(caller, p.id(), "customer.delete", c.email(), owned.isEmpty() ? null : "released " + owned.size() + " device(s)");
    }

    /**
     * {@code POST /v1/products/:p/device_claims}: a claim code for a customer of the product, or for
     * a team member whose role may claim the product's devices.
     */
    public DeviceService.ClaimCode claimCode(Principal caller, String product) {
        if (caller.customer()) {
            products.lookup(product).filter(x -> x.id() == caller.productId())
                    .orElseThrow(() -> DomainException.notFound("Product not found"));
        } else {
            products.require(caller, product, Action.EDIT_DEVICE);
        }
        return devices.createClaimCode(caller);
    }

    private User customer(Product p, String email) {
        return accounts.findProductUser(p.id(), User.Kind.CUSTOMER, normalize(email))
                .orElseThrow(() -> DomainException.notFound("Customer not found"));
    }

    private Customer view(User u) {
        return new Customer(u.id(), u.email(), u.createdAt(), deviceRepo.listByOwner(u.id()).stream().map(Device::id).toList());
    }

    private static String normalize(String email) {
        String e = email == null ? "" : email.trim().toLowerCase(Locale.ROOT);
        if (!EMAIL.matcher(e).matches()) throw DomainException.invalid("email must be an email address");
        return e;
    }
}
