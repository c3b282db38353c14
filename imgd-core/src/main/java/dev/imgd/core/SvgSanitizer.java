package dev.imgd.core;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Makes an SVG safe to answer as it is (imgproxy's processing/svg, stricter): the JDK's XML parser
 * with no DTD, no external entity and no XInclude reads it; scripts, iframes and forms are removed,
 * and so are event handler attributes (on*), animations that would set an href, and every reference
 * outside the document: an href may name only a fragment ({@code #id}), or, on an {@code <image>},
 * a {@code data:} URI. Processing instructions (an xml-stylesheet) go too.
 *
 * <p>Where imgproxy keeps http(s) references, imgd removes them: an answered SVG never makes the
 * client fetch from elsewhere, as the renderer refuses them (FM-22).
 */
public final class SvgSanitizer {
  private static final Set<String> REMOVED_ELEMENTS = Set.of("script", "iframe", "form");
  private static final Set<String> ANIMATIONS = Set.of("set", "animate");

  private SvgSanitizer() {}

  /**
   * The sanitized document, as UTF-8.
   *
   * @throws ImgdException LIMIT_EXCEEDED for a DTD (entities are refused, as for rendering),
   *     CORRUPT_IMAGE for text that does not parse as XML
   */
  public static byte[] sanitize(byte[] svg) {
    Objects.requireNonNull(svg, "svg");
    Document doc = parse(svg);
    sanitize(doc.getDocumentElement());
    for (Node n : children(doc)) {
      if (n.getNodeType() == Node.PROCESSING_INSTRUCTION_NODE) {
        doc.removeChild(n);
      }
    }
    return write(doc);
  }

  private static void sanitize(Element e) {
    NamedNodeMap attributes = e.getAttributes();
    List<Attr> unsafe = new ArrayList<>();
    for (int i = 0; i < attributes.getLength(); i++) {
      Attr a = (Attr) attributes.item(i);
      if (!safe(e, a)) {
        unsafe.add(a);
      }
    }
    unsafe.forEach(e::removeAttributeNode);
    for (Node child : children(e)) {
      switch (child.getNodeType()) {
        case Node.ELEMENT_NODE -> {
          Element c = (Element) child;
          if (removed(c)) {
            e.removeChild(c);
          } else {
            sanitize(c);
          }
        }
        case Node.PROCESSING_INSTRUCTION_NODE -> e.removeChild(child);
        default -> {}
      }
    }
  }

  private static boolean removed(Element e) {
    String name = localName(e);
    if (REMOVED_ELEMENTS.contains(name)) {
      return true;
    }
    // <set attributeName="href" to="javascript:..."> changes a link after sanitizing.
    return (ANIMATIONS.contains(name) || name.startsWith("animate"))
        && localName(e.getAttribute("attributeName")).equals("href");
  }

  private static boolean safe(Element e, Attr a) {
    String name = localName(a);
    if (name.startsWith("on")) {
      return false; // event handlers: onload, onclick, onbegin...
    }
    if (!name.equals("href")) {
      return true;
    }
    String target = a.getValue().strip().toLowerCase(Locale.ROOT);
    return target.isEmpty()
        || target.startsWith("#")
        || (localName(e).equals("image") && target.startsWith("data:"));
  }

  private static String localName(Node n) {
    String name = n.getLocalName() != null ? n.getLocalName() : n.getNodeName();
    return localName(name);
  }

  private static String localName(String qualified) {
    return qualified.substring(qualified.indexOf(':') + 1).toLowerCase(Locale.ROOT);
  }

  /** A copy of the children: removing while walking a live NodeList skips nodes. */
  private static List<Node> children(Node parent) {
    List<Node> nodes = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      nodes.add(n);
    }
    return nodes;
  }

  private static Document parse(byte[] svg) {
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
      b.setErrorHandler(new DefaultHandler()); // no messages on stderr; fatal errors still throw
      return b.parse(new ByteArrayInputStream(svg));
    } catch (SAXException e) {
      String message = Objects.requireNonNullElse(e.getMessage(), "");
      if (message.contains("DOCTYPE")) {
        throw new ImgdException(
            ErrorCode.LIMIT_EXCEEDED,
            "refused an SVG with a DTD or entities (entity expansion is refused)",
            e);
      }
      throw new ImgdException(ErrorCode.CORRUPT_IMAGE, "the SVG does not parse as XML", e);
    } catch (ParserConfigurationException | IOException e) {
      throw new IllegalStateException("the JDK's XML parser cannot be set up securely", e);
    }
  }

  private static byte[] write(Document doc) {
    try {
      TransformerFactory f = TransformerFactory.newInstance();
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
      Transformer t = f.newTransformer();
      t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
      t.setOutputProperty(OutputKeys.METHOD, "xml");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      t.transform(new DOMSource(doc), new StreamResult(out));
      return out.toByteArray();
    } catch (TransformerException e) {
      throw new IllegalStateException("the sanitized SVG cannot be written", e);
    }
  }
}
