package dk.opensts.app;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A port for a server another process (or a later start) is to listen on: the embedded PostgreSQL,
 * and the servers the tests and benchmarks start.
 *
 * <p>A port the kernel hands out for {@code new ServerSocket(0)} lies in its ephemeral range, where it
 * also picks the local port of every outgoing connection: a database or broker connection opened
 * between choosing the port and binding it could take it, and the server then fails with
 * "Address already in use". These ports lie below that range, which outgoing connections never use.
 */
public final class LocalPorts {

    private LocalPorts() {
    }

    /** A port below the ephemeral range that nothing listens on or is bound to now. */
    public static int free() {
        int below = ephemeralLow();
        int from = Math.min(10_000, below / 2);
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(from, below);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(port));
                return port;
            } catch (IOException taken) {
                // another one
            }
        }
        throw new IllegalStateException("no free port between " + from + " and " + below);
    }

    /** The first port of the kernel's ephemeral range (Linux's default 32768 elsewhere). */
    static int ephemeralLow() {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        try {
            if (Files.isReadable(range)) {
                int low = Integer.parseInt(Files.readString(range).trim().split("\\s+")[0]);
                if (low > 2_048) {
                    return low;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the default below
        }
        return 32_768;
    }
}
