package dev.fanout.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.util.Map;

/**
 * Tree reading and writing straight on the streaming API.
 *
 * <p>Both the Cribl decoder and the envelope reader build {@code fields} with the same rules here,
 * so a value decoded from Cribl and one read back from the bus are equal node for node. It also
 * skips databind's per-call context setup, which shows up at thousands of events per request.
 */
final class JsonTrees {
    private JsonTrees() {}

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Reads the object whose START_OBJECT is the parser's current token. */
    static ObjectNode readObject(JsonParser p) throws IOException {
        ObjectNode o = NODES.objectNode();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            o.set(name, readValue(p, p.nextToken()));
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new com.fasterxml.jackson.core.JsonParseException(p, "expected a field name or '}'");
        }
        return o;
    }

    /** Reads the value whose first token is {@code t} (already the parser's current token). */
    static JsonNode readValue(JsonParser p, JsonToken t) throws IOException {
        if (t == null) {
            throw new com.fasterxml.jackson.core.io.JsonEOFException(p, null, "unexpected end of input");
        }
        switch (t) {
            case START_OBJECT:
                return readObject(p);
            case START_ARRAY: {
                ArrayNode a = NODES.arrayNode();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    a.add(readValue(p, e));
                }
                return a;
            }
            case VALUE_STRING:
                return TextNode.valueOf(p.getText());
            case VALUE_NUMBER_INT:
                switch (p.getNumberType()) {
                    case INT:
                        return IntNode.valueOf(p.getIntValue());
                    case LONG:
                        return LongNode.valueOf(p.getLongValue());
                    default:
                        return BigIntegerNode.valueOf(p.getBigIntegerValue());
                }
            case VALUE_NUMBER_FLOAT: {
                double d = p.getDoubleValue();
                // A double would turn 1e400 into Infinity, which JSON cannot carry back.
                if (Double.isInfinite(d) || Double.isNaN(d)) {
                    try {
                        return DecimalNode.valueOf(p.getDecimalValue());
                    } catch (NumberFormatException tooBig) {
                        // Exponents beyond BigDecimal's range (found by CriblDecoderFuzzTest): keep the
                        // number's text rather than lose the event.
                        return com.fasterxml.jackson.databind.node.TextNode.valueOf(p.getText());
                    }
                }
                return DoubleNode.valueOf(d);
            }
            case VALUE_TRUE:
                return BooleanNode.TRUE;
            case VALUE_FALSE:
                return BooleanNode.FALSE;
            case VALUE_NULL:
                return NullNode.instance;
            default:
                throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected token " + t);
        }
    }

    /** Writes a tree built by {@link #readValue} (or any plain JSON tree). */
    static void write(JsonGenerator g, JsonNode n) throws IOException {
        switch (n.getNodeType()) {
            case OBJECT: {
                g.writeStartObject();
                for (Map.Entry<String, JsonNode> e : n.properties()) {
                    g.writeFieldName(e.getKey());
                    write(g, e.getValue());
                }
                g.writeEndObject();
                return;
            }
            case ARRAY: {
                g.writeStartArray();
                for (int i = 0, size = n.size(); i < size; i++) {
                    write(g, n.get(i));
                }
                g.writeEndArray();
                return;
            }
            case STRING:
                g.writeString(n.textValue());
                return;
            case NUMBER:
                if (n instanceof IntNode) {
                    g.writeNumber(n.intValue());
                } else if (n instanceof LongNode) {
                    g.writeNumber(n.longValue());
                } else if (n instanceof DoubleNode) {
                    g.writeNumber(n.doubleValue());
                } else if (n instanceof BigIntegerNode) {
                    g.writeNumber(n.bigIntegerValue());
                } else if (n instanceof DecimalNode) {
                    g.writeNumber(n.decimalValue());
                } else {
                    g.writeTree(n);
                }
                return;
            case BOOLEAN:
                g.writeBoolean(n.booleanValue());
                return;
            case NULL:
                g.writeNull();
                return;
            default:
                // POJO/binary nodes never come from the decoder; let databind handle them.
                EnvelopeCodec.mapper().writeTree(g, n);
        }
    }
}
