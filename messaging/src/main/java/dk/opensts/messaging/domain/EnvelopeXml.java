package dk.opensts.messaging.domain;

import dk.opensts.platform.error.ApiException;
import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.error.FieldProblem;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.XMLConstants;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The XML form of an envelope, the {@code Haendelsesbesked} in namespace {@value #NS}: the same
 * content as {@link Envelope} under the Danish element names (BeskedId, Beskedkuvert with
 * Filtreringsdata, Leveranceinformation and Gyldighed, Beskeddata). Reading turns the XML into the
 * JSON form, so both are validated by the same rules. Parsing refuses DTDs and external entities.
 */
public final class EnvelopeXml {

    public static final String NS = "urn:oio:besked:kuvert:1.0";
    public static final String ROOT = "Haendelsesbesked";

    private final JsonMapper json;

    public EnvelopeXml(JsonMapper json) {
        this.json = json;
    }

    // reading

    /** The envelope in its JSON form, to bind and validate; malformed XML or an unknown element is refused. */
    public ObjectNode read(String xml) {
        Element root = parse(xml).getDocumentElement();
        if (!NS.equals(root.getNamespaceURI()) || !ROOT.equals(root.getLocalName())) {
            throw problem("/", "the root element must be {" + NS + "}" + ROOT);
        }
        ObjectNode out = json.createObjectNode();
        for (Element e : children(root, "", Set.of("BeskedId", "BeskedVersion", "Beskedkuvert", "Beskeddata"))) {
            switch (e.getLocalName()) {
                case "BeskedId" -> out.put("messageId", text(one(e, "UUIDIdentifikator", "/BeskedId")));
                case "BeskedVersion" -> out.put("version", text(e));
                case "Beskedkuvert" -> envelope(e, out);
                default -> out.set("payload", payload(e));
            }
        }
        return out;
    }

    private void envelope(Element kuvert, ObjectNode out) {
        for (Element e : children(kuvert, "/Beskedkuvert",
                Set.of("Filtreringsdata", "Leveranceinformation", "GyldighedFra", "GyldighedTil"))) {
            switch (e.getLocalName()) {
                case "Filtreringsdata" -> filter(e, out);
                case "Leveranceinformation" -> delivery(e, out);
                case "GyldighedFra" -> validity(out).put("from", text(e));
                default -> validity(out).put("to", text(e));
            }
        }
    }

    private ObjectNode validity(ObjectNode out) {
        return out.has("validity") ? (ObjectNode) out.get("validity") : out.putObject("validity");
    }

    private void filter(Element f, ObjectNode out) {
        ObjectNode filter = out.putObject("filter");
        String path = "/Beskedkuvert/Filtreringsdata";
        for (Element e : children(f, path, Set.of("Beskedtype", "BeskedAnsvarligAktoer", "TilladtModtager",
                "RelateretObjekt", "ObjektRegistrering"))) {
            switch (e.getLocalName()) {
                case "Beskedtype" -> out.put("messageType", text(e));
                case "BeskedAnsvarligAktoer" -> filter.put("authority",
                        text(one(e, "CVRnummerIdentifikator", path + "/BeskedAnsvarligAktoer")));
                case "TilladtModtager" -> array(filter, "allowedReceivers")
                        .add(text(one(e, "UUIDIdentifikator", path + "/TilladtModtager")));
                case "RelateretObjekt" -> array(filter, "relatedObjects").add(fields(e, path + "/RelateretObjekt",
                        Map.of("ObjektType", "type", "ObjektId", "id", "ObjektRolle", "role")));
                default -> filter.set("object", fields(e, path + "/ObjektRegistrering", Map.of("ObjektId", "id",
                        "ObjektType", "type", "ObjektHandling", "action", "ObjektKLEEmne", "kle",
                        "ObjektFoelsomhedsniveau", "sensitivity")));
            }
        }
    }

    private void delivery(Element d, ObjectNode out) {
        String path = "/Beskedkuvert/Leveranceinformation";
        // what OpenSTS sets (source system, times received, routes) is read and then replaced
        out.set("delivery", fields(d, path, Map.of("Dannelsestidspunkt", "createdAt",
                "Transaktionsidentifikator", "transactionId", "Kildesystem", "sourceSystem",
                "Modtagelsestidspunkt", "receivedAt"), Set.of("Leveranceruteinformation")));
    }

    private ObjectNode payload(Element data) {
        Element content = one(data, "Indhold", "/Beskeddata");
        ObjectNode p = json.createObjectNode();
        String type = content.getAttribute("type");
        p.put("contentType", type);
        if ("application/xml".equals(type)) {
            List<Element> elements = children(content, "/Beskeddata/Indhold", null);
            if (elements.size() != 1) {
                throw problem("/Beskeddata/Indhold", "an XML payload is one element");
            }
            p.put("data", serialize(elements.get(0)));
        } else if ("application/json".equals(type)) {
            try {
                p.set("data", json.readTree(content.getTextContent()));
            } catch (RuntimeException e) {
                throw problem("/Beskeddata/Indhold", "the JSON payload is not well-formed");
            }
        } else {
            throw problem("/Beskeddata/Indhold/@type", "must be application/json or application/xml");
        }
        return p;
    }

    private ObjectNode fields(Element parent, String path, Map<String, String> names) {
        return fields(parent, path, names, Set.of());
    }

    private ObjectNode fields(Element parent, String path, Map<String, String> names, Set<String> ignored) {
        ObjectNode o = json.createObjectNode();
        Set<String> allowed = new java.util.HashSet<>(names.keySet());
        allowed.addAll(ignored);
        for (Element e : children(parent, path, allowed)) {
            String name = names.get(e.getLocalName());
            if (name != null) {
                o.put(name, text(e));
            }
        }
        return o;
    }

    private static ArrayNode array(ObjectNode o, String name) {
        return o.has(name) ? (ArrayNode) o.get(name) : o.putArray(name);
    }

    /** The elements of the envelope that may come more than once; every other comes at most once. */
    private static final Set<String> REPEATABLE = Set.of("TilladtModtager", "RelateretObjekt", "Leveranceruteinformation");

    /**
     * The child elements; any other element name (or one outside the namespace) is refused, and so
     * is an element named twice that holds one value (read last-wins, a second sensitivity or
     * authority would have replaced the first unseen).
     */
    private static List<Element> children(Element parent, String path, Set<String> allowed) {
        List<Element> out = new java.util.ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                if (allowed != null && (!NS.equals(e.getNamespaceURI()) || !allowed.contains(e.getLocalName()))) {
                    throw problem(path + "/" + e.getLocalName(), "unknown element");
                }
                if (allowed != null && !seen.add(e.getLocalName()) && !REPEATABLE.contains(e.getLocalName())) {
                    throw problem(path + "/" + e.getLocalName(), "may appear only once");
                }
                out.add(e);
            } else if (allowed != null && n.getNodeType() == Node.TEXT_NODE && !n.getNodeValue().isBlank()) {
                throw problem(path, "text is not allowed here");
            }
        }
        return out;
    }

    private static Element one(Element parent, String name, String path) {
        List<Element> found = children(parent, path, Set.of(name));
        if (found.size() != 1) {
            throw problem(path + "/" + name, "required once");
        }
        return found.get(0);
    }

    private static String text(Element e) {
        return e.getTextContent().trim();
    }

    private static ApiException problem(String field, String reason) {
        return new ApiException(ErrorCode.VALIDATION_FAILED, field + ": " + reason, List.of(new FieldProblem(field, reason)));
    }

    // writing

    /** The envelope as a {@code Haendelsesbesked} document. */
    public String write(Envelope env) {
        Document doc = dk.opensts.platform.security.SecureXml.builder().newDocument();
        Element root = doc.createElementNS(NS, ROOT);
        root.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns", NS);
        doc.appendChild(root);
        add(add(root, "BeskedId"), "UUIDIdentifikator", env.messageId().toString());
        add(root, "BeskedVersion", env.version());
        Element kuvert = add(root, "Beskedkuvert");
        Element filter = add(kuvert, "Filtreringsdata");
        add(filter, "Beskedtype", env.messageType());
        add(add(filter, "BeskedAnsvarligAktoer"), "CVRnummerIdentifikator", env.filter().authority());
        env.filter().allowedReceivers().forEach(r -> add(add(filter, "TilladtModtager"), "UUIDIdentifikator", r.toString()));
        for (Envelope.RelatedObject r : env.filter().relatedObjects()) {
            Element o = add(filter, "RelateretObjekt");
            add(o, "ObjektType", r.type().name());
            add(o, "ObjektId", r.id());
            add(o, "ObjektRolle", r.role());
        }
        Envelope.ObjectRegistration reg = env.filter().object();
        if (reg != null) {
            Element o = add(filter, "ObjektRegistrering");
            add(o, "ObjektId", reg.id());
            add(o, "ObjektType", reg.type());
            add(o, "ObjektHandling", reg.action());
            add(o, "ObjektKLEEmne", reg.kle());
            add(o, "ObjektFoelsomhedsniveau", reg.sensitivity() == null ? null : reg.sensitivity().name());
        }
        Envelope.DeliveryInfo d = env.delivery();
        if (d != null) {
            Element info = add(kuvert, "Leveranceinformation");
            add(info, "Dannelsestidspunkt", str(d.createdAt()));
            add(info, "Transaktionsidentifikator", d.transactionId());
            add(info, "Kildesystem", str(d.sourceSystem()));
            add(info, "Modtagelsestidspunkt", str(d.receivedAt()));
            if (d.routes() != null) {
                for (Envelope.Route r : d.routes()) {
                    Element route = add(info, "Leveranceruteinformation");
                    add(route, "Modtager", r.receiver().toString());
                    add(route, "Modtaget", str(r.receivedAt()));
                    add(route, "Leveret", str(r.deliveredAt()));
                    add(route, "Forsoeg", Integer.toString(r.attempts()));
                }
            }
        }
        if (env.validity() != null) {
            add(kuvert, "GyldighedFra", str(env.validity().from()));
            add(kuvert, "GyldighedTil", str(env.validity().to()));
        }
        Element content = add(add(root, "Beskeddata"), "Indhold");
        content.setAttribute("type", env.payload().contentType());
        JsonNode data = env.payload().data();
        if ("application/xml".equals(env.payload().contentType())) {
            content.appendChild(doc.importNode(parse(data.asString()).getDocumentElement(), true));
        } else {
            content.setTextContent(json.writeValueAsString(data));
        }
        return serialize(doc);
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private static Element add(Element parent, String name) {
        Element e = parent.getOwnerDocument().createElementNS(NS, name);
        parent.appendChild(e);
        return e;
    }

    private static void add(Element parent, String name, String text) {
        if (text != null) {
            add(parent, name).setTextContent(text);
        }
    }

    // parsing and serialising

    /** Parses XML with DTDs, external entities and XInclude refused; malformed input is a 400. */
    public static Document parse(String xml) {
        try {
            return dk.opensts.platform.security.SecureXml.builder().parse(new InputSource(new StringReader(xml)));
        } catch (org.xml.sax.SAXException | java.io.IOException e) {
            throw new ApiException(ErrorCode.MALFORMED_BODY, "The XML is not well-formed: " + e.getMessage());
        }
    }

    private static String serialize(Node node) {
        return new String(dk.opensts.platform.security.SecureXml.serialize(node, node instanceof Document),
                java.nio.charset.StandardCharsets.UTF_8);
    }
}
