package dk.opensts.platform.security;

import java.io.ByteArrayOutputStream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Node;

/**
 * The one XML parser and writer set-up of OpenSTS (SAML messages, message envelopes, KLE imports): namespace
 * aware, secure processing on, DTDs refused (so no entity expansion, local or external), no
 * external DTD, schema or XInclude, no error output. One builder per thread, as builders are not
 * thread-safe; each parse starts afresh.
 */
public final class SecureXml {

    private static final ThreadLocal<DocumentBuilder> BUILDER = ThreadLocal.withInitial(() -> {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            return b;
        } catch (Exception e) {
            throw new IllegalStateException("no secure XML parser", e);
        }
    });

    /** One transformer per thread: making a factory is a service look-up on the class path each time. */
    private static final ThreadLocal<Transformer> WRITER = ThreadLocal.withInitial(() -> {
        try {
            TransformerFactory tf = TransformerFactory.newInstance();
            tf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            return tf.newTransformer();
        } catch (Exception e) {
            throw new IllegalStateException("no XML writer", e);
        }
    });

    private SecureXml() {
    }

    /** The node as UTF-8 XML, with or without the XML declaration. */
    public static byte[] serialize(Node node, boolean declaration) {
        Transformer t = WRITER.get();
        try {
            t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, declaration ? "no" : "yes");
            ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
            t.transform(new DOMSource(node), new StreamResult(out));
            return out.toByteArray();
        } catch (Exception e) {
            throw new IllegalStateException("XML could not be written", e);
        } finally {
            t.reset();
        }
    }

    /** This thread's secure builder, reset. */
    public static DocumentBuilder builder() {
        DocumentBuilder b = BUILDER.get();
        b.reset();
        b.setErrorHandler(null);
        return b;
    }
}
