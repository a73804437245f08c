// Writes the private key of a PKCS12 keystore entry as PKCS#8 PEM, for Node's TLS client (keytool can
// export certificates but not keys). kafka.sh runs it once, for the throwaway mTLS client key.
// java tools/kafka/PemKey.java <store.p12> <alias> <store password> <out.pem>
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.Base64;

public class PemKey {
  public static void main(String[] args) throws Exception {
    char[] password = args[2].toCharArray();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(args[0])) {
      store.load(in, password);
    }
    Key key = store.getKey(args[1], password);
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded());
    Files.writeString(Path.of(args[3]), "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n");
  }
}
