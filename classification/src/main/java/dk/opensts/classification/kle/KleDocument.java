package dk.opensts.classification.kle;

import dk.opensts.platform.web.Uuids;
import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * Reads the KLE XML formats: {@code KLE-Emneplan} (Hovedgruppe > Gruppe > Emne, each with its
 * number, title, UUID, administrative dates, guidance and keywords) and {@code KLE-Handlingsfacetter}
 * (HandlingsfacetKategori > Handlingsfacet), also both in one document. DTDs and external
 * entities are refused.
 */
public final class KleDocument {

    /** One KLE entry: a main group, group, subject, handling-facet category or handling facet. */
    public record Entry(String kind, String number, String title, String description, UUID uuid, String parentNumber,
                        LocalDate created, LocalDate expired, List<String> keywords) {
    }

    public final List<Entry> subjects = new ArrayList<>();
    public final List<Entry> handlingFacets = new ArrayList<>();

    private KleDocument() {
    }

    public static KleDocument parse(Reader xml) {
        Document doc;
        try {
            doc = dk.opensts.platform.security.SecureXml.builder().parse(new InputSource(xml));
        } catch (Exception e) {
            throw new ApiException(ErrorCode.MALFORMED_BODY, "Not well-formed KLE XML: " + e.getMessage());
        }
        KleDocument kle = new KleDocument();
        Element root = doc.getDocumentElement();
        for (Element main : children(root, "Hovedgruppe")) {
            Entry m = entry(main, "Hovedgruppe", "MAIN_GROUP", null);
            kle.subjects.add(m);
            for (Element group : children(main, "Gruppe")) {
                Entry g = entry(group, "Gruppe", "GROUP", m.number());
                kle.subjects.add(g);
                for (Element subject : children(group, "Emne")) {
                    kle.subjects.add(entry(subject, "Emne", "SUBJECT", g.number()));
                }
            }
        }
        List<Element> facetRoots = new ArrayList<>(children(root, "Handlingsfacetter"));
        if (local(root).equals("KLE-Handlingsfacetter") || local(root).equals("Handlingsfacetter")) {
            facetRoots.add(root);
        }
        for (Element facets : facetRoots) {
            for (Element cat : children(facets, "HandlingsfacetKategori")) {
                Entry c = entry(cat, "HandlingsfacetKategori", "HANDLING_CATEGORY", null);
                kle.handlingFacets.add(c);
                for (Element hf : children(cat, "Handlingsfacet")) {
                    kle.handlingFacets.add(entry(hf, "Handlingsfacet", "HANDLING_FACET", c.number()));
                }
            }
        }
        if (kle.subjects.isEmpty() && kle.handlingFacets.isEmpty()) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED,
                    "No Hovedgruppe or HandlingsfacetKategori found under " + local(root));
        }
        return kle;
    }

    private static Entry entry(Element e, String prefix, String kind, String parent) {
        String number = text(e, prefix + "Nr");
        String title = text(e, prefix + "Titel");
        if (number == null || number.isBlank() || title == null || title.isBlank()) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, prefix + " without " + prefix + "Nr or " + prefix
                    + "Titel" + (number == null ? "" : " (" + number + ")"));
        }
        String uuidText = text(e, "UUID");
        UUID uuid;
        try {
            uuid = uuidText == null ? UUID.nameUUIDFromBytes(("opensts:kle:" + number).getBytes(StandardCharsets.UTF_8))
                    : Uuids.parse(uuidText.trim());
        } catch (IllegalArgumentException ex) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, prefix + " " + number + " has a malformed UUID");
        }
        Element admin = child(e, prefix + "AdministrativInfo");
        LocalDate created = admin == null ? null : date(text(admin, "OprettetDato"), number);
        LocalDate expired = admin == null ? null : date(text(admin, "UdgaaetDato"), number);
        Element guidance = child(e, prefix + "Vejledning");
        String description = guidance == null ? null : guidance.getTextContent().trim().replaceAll("\\s+", " ");
        List<String> keywords = new ArrayList<>();
        for (Element k : children(e, "Stikord")) {
            String word = text(k, "StikordTitel");
            keywords.add((word != null ? word : k.getTextContent()).trim());
        }
        return new Entry(kind, number.trim(), title.trim(), description == null || description.isEmpty() ? null : description,
                uuid, parent, created, expired, keywords.stream().filter(s -> !s.isEmpty()).distinct().toList());
    }

    private static LocalDate date(String s, String number) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(s.trim().substring(0, Math.min(10, s.trim().length())));
        } catch (RuntimeException e) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "KLE " + number + " has a malformed date: " + s);
        }
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> list = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && local(e).equals(name)) {
                list.add(e);
            }
        }
        return list;
    }

    private static Element child(Element parent, String name) {
        List<Element> list = children(parent, name);
        return list.isEmpty() ? null : list.get(0);
    }

    private static String text(Element parent, String name) {
        Element c = child(parent, name);
        return c == null ? null : c.getTextContent();
    }

    private static String local(Element e) {
        return e.getLocalName() != null ? e.getLocalName() : e.getTagName();
    }
}
