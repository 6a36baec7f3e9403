package dk.demofagsystem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo fagsystem's own records: citizens, cases, documents and grants, and what was published of
 * each. Kept in one JSON file in its data folder, replaced atomically (written beside it, forced to
 * disk, then moved over it), so a restart or a crash mid-write loses nothing written before.
 */
@Component
public class Journal {

    public record Citizen(String cpr, String name, String address, boolean protectedAddress) {
    }

    public record Document(String localId, String number, String title, LocalDate letterDate, String type, int version) {
    }

    public record Payment(LocalDate from, LocalDate to, String gross, String paid) {
    }

    public record Grant(String localId, String userKey, String benefitClass, LocalDate from, LocalDate to,
                        String amount, String frequency, boolean repayable, List<Payment> payments, int version,
                        String published) {
    }

    /**
     * A case. {@code version} grows with each change (the index refuses an older one); {@code published}
     * is the outcome of the last publication ({@code null}: not yet).
     */
    public record Case(String localId, String number, String cpr, String title, String kle, String handlingClass,
                       UUID unit, String unitName, String sensitivity, boolean exempt, String caseworker,
                       LocalDate opened, int version, String published, List<Document> documents, List<Grant> grants) {

        Case with(int newVersion, String outcome) {
            return new Case(localId, number, cpr, title, kle, handlingClass, unit, unitName, sensitivity, exempt,
                    caseworker, opened, newVersion, outcome, documents, grants);
        }

        Case withDocument(Document d) {
            List<Document> all = new ArrayList<>(documents);
            all.add(d);
            return new Case(localId, number, cpr, title, kle, handlingClass, unit, unitName, sensitivity, exempt,
                    caseworker, opened, version, published, all, grants);
        }

        Case withGrant(Grant g) {
            List<Grant> all = new ArrayList<>(grants);
            all.add(g);
            return new Case(localId, number, cpr, title, kle, handlingClass, unit, unitName, sensitivity, exempt,
                    caseworker, opened, version, published, documents, all);
        }
    }

    /** Everything, as stored. */
    public record Data(List<Citizen> citizens, List<Case> cases, int sequence) {
    }

    private final Path file;
    private final JsonMapper json;
    private Data data;

    Journal(DemoSettings settings, JsonMapper json) {
        this.file = settings.dataDir.resolve("journal.json");
        this.json = json;
        try {
            Files.createDirectories(settings.dataDir);
            this.data = Files.exists(file) ? json.readValue(Files.readAllBytes(file), Data.class)
                    : new Data(List.of(), List.of(), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public synchronized List<Citizen> citizens() {
        return data.citizens();
    }

    public synchronized Optional<Citizen> citizen(String cpr) {
        return data.citizens().stream().filter(c -> c.cpr().equals(cpr)).findFirst();
    }

    public synchronized List<Case> cases(String cpr) {
        return data.cases().stream().filter(c -> cpr == null || c.cpr().equals(cpr)).toList();
    }

    public synchronized Optional<Case> find(String localId) {
        return data.cases().stream().filter(c -> c.localId().equals(localId)).findFirst();
    }

    /** Registers a citizen (a second registration of the same CPR replaces the first). */
    public synchronized void register(Citizen citizen) {
        List<Citizen> citizens = new ArrayList<>(data.citizens());
        citizens.removeIf(c -> c.cpr().equals(citizen.cpr()));
        citizens.add(citizen);
        save(new Data(citizens, data.cases(), data.sequence()));
    }

    /** The next case number of this system ({@code DEMO-<year>-<n>}). */
    public synchronized String nextNumber() {
        int n = data.sequence() + 1;
        save(new Data(data.citizens(), data.cases(), n));
        return "DEMO-" + LocalDate.now().getYear() + "-" + n;
    }

    /** Stores a case (new, or a changed one replacing the one with its local id). */
    public synchronized void store(Case c) {
        List<Case> cases = new ArrayList<>(data.cases());
        cases.removeIf(x -> x.localId().equals(c.localId()));
        cases.add(c);
        save(new Data(data.citizens(), cases, data.sequence()));
    }

    private void save(Data next) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, json.writeValueAsBytes(next));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            data = next;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
