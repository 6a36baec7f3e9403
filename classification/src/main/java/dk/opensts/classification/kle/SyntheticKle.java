package dk.opensts.classification.kle;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes a synthetic document in the KLE-Emneplan XML shape, of KLE's real size by default
 * (100 main groups, 1,000 groups, 5,000 subjects) plus handling facets. The real KLE file may not
 * be shipped (its licence forbids it); the titles here are made up. Deterministic for a seed.
 * <p>
 * {@code java ... dk.opensts.classification.kle.SyntheticKle out.xml [mainGroups groupsPerMain subjectsPerGroup]}
 */
public final class SyntheticKle {

    private static final String[] WORDS = {"Skole", "Dagtilbud", "Ældre", "Handicap", "Beskæftigelse", "Sundhed",
            "Miljø", "Byggeri", "Veje", "Kultur", "Børn", "Familie", "Bolig", "Økonomi", "Personale", "Forsyning",
            "Natur", "Trafik", "Erhverv", "Integration", "Borgerservice", "Rådgivning", "Tilsyn", "Pension"};

    private SyntheticKle() {
    }

    public static void write(Writer out, int mainGroups, int groupsPerMain, int subjectsPerGroup, long seed)
            throws IOException {
        Random r = new Random(seed);
        out.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<KLE-Emneplan>\n");
        out.write("  <UdgivelsesDato>2026-01-01</UdgivelsesDato>\n");
        for (int m = 0; m < mainGroups; m++) {
            String mn = String.format("%02d", m);
            out.write("  <Hovedgruppe>\n    <HovedgruppeNr>" + mn + "</HovedgruppeNr>\n");
            out.write("    <HovedgruppeTitel>" + title(r) + "</HovedgruppeTitel>\n");
            admin(out, "Hovedgruppe", "    ");
            for (int g = 0; g < groupsPerMain; g++) {
                String gn = mn + "." + String.format("%02d", g);
                out.write("    <Gruppe>\n      <GruppeNr>" + gn + "</GruppeNr>\n");
                out.write("      <GruppeTitel>" + title(r) + "</GruppeTitel>\n");
                admin(out, "Gruppe", "      ");
                for (int s = 0; s < subjectsPerGroup; s++) {
                    String sn = gn + "." + String.format("%02d", s);
                    out.write("      <Emne>\n        <EmneNr>" + sn + "</EmneNr>\n");
                    out.write("        <EmneTitel>" + title(r) + "</EmneTitel>\n");
                    admin(out, "Emne", "        ");
                    out.write("        <EmneVejledning><p>Vejledning til emne " + sn + ".</p></EmneVejledning>\n");
                    out.write("        <Stikord><StikordTitel>" + WORDS[r.nextInt(WORDS.length)].toLowerCase()
                            + "</StikordTitel></Stikord>\n");
                    out.write("      </Emne>\n");
                }
                out.write("    </Gruppe>\n");
            }
            out.write("  </Hovedgruppe>\n");
        }
        out.write("  <Handlingsfacetter>\n");
        String[] categories = {"G", "A", "B", "C", "D", "E", "F", "I", "K", "P", "S"};
        for (String c : categories) {
            out.write("    <HandlingsfacetKategori>\n      <HandlingsfacetKategoriNr>" + c + "</HandlingsfacetKategoriNr>\n");
            out.write("      <HandlingsfacetKategoriTitel>" + title(r) + "</HandlingsfacetKategoriTitel>\n");
            for (int h = 0; h < 10; h++) {
                String hn = c + String.format("%02d", h);
                out.write("      <Handlingsfacet>\n        <HandlingsfacetNr>" + hn + "</HandlingsfacetNr>\n");
                out.write("        <HandlingsfacetTitel>" + title(r) + "</HandlingsfacetTitel>\n      </Handlingsfacet>\n");
            }
            out.write("    </HandlingsfacetKategori>\n");
        }
        out.write("  </Handlingsfacetter>\n</KLE-Emneplan>\n");
    }

    private static void admin(Writer out, String prefix, String indent) throws IOException {
        out.write(indent + "<" + prefix + "AdministrativInfo><OprettetDato>1988-01-01</OprettetDato></" + prefix
                + "AdministrativInfo>\n");
    }

    private static String title(Random r) {
        return WORDS[r.nextInt(WORDS.length)] + " og " + WORDS[r.nextInt(WORDS.length)].toLowerCase() + " "
                + (r.nextInt(900) + 100);
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "kle-synthetic.xml");
        int m = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int g = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int s = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            write(w, m, g, s, 42);
        }
    }
}
