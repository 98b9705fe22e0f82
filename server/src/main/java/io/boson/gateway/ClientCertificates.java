package io.boson.gateway;

import io.netty.handler.ssl.SslHandler;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Locale;

/**
 * Device authentication by X.509 client certificate: a certificate that the TLS handshake verified
 * against the configured device CAs names its device in its subject's CN.
 */
final class ClientCertificates {

    private ClientCertificates() {
    }

    /** The device ID (lowercased CN) of the connection's verified client certificate; null when it has none. */
    static String deviceId(SslHandler tls) {
        if (tls == null) return null;
        try {
            Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) return null;
            for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) return rdn.getValue().toString().trim().toLowerCase(Locale.ROOT);
            }
            return null;
        } catch (SSLPeerUnverifiedException | InvalidNameException e) {
            return null; // no client certificate: the device authenticates with its secret
        }
    }
}
