import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.lang.reflect.Method;
import java.util.Base64;
import java.util.HexFormat;
import java.util.stream.Collectors;
import com.google.protobuf.Descriptors.Descriptor;
import org.apache.beam.model.pipeline.v1.SchemaApi;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.io.gcp.bigquery.BeamRowToStorageApiProto;
import org.apache.beam.sdk.io.gcp.bigquery.TableRowToStorageApiProto;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaTranslation;
import org.apache.beam.sdk.values.Row;
import org.joda.time.ReadableInstant;

/**
 * Decodes rows encoded by the TypeScript PortableRowCoder with Beam Java's own RowCoder, and re-encodes them.
 *
 *   java -cp <beam jar> RowCoderCheck.java <cases.json>
 *
 * Input: {"cases": [{"name", "schema": base64 of the SchemaApi.Schema proto from the coder payload, "rows": [hex]}]}.
 * Output (stdout, one JSON document): per case, the schema as Java read it, and per row the values Java decoded,
 * the bytes Java left unread, Java's own encoding (hex) and whether the Storage Write's own row conversion
 * (BeamRowToStorageApiProto, as StorageApiDynamicDestinationsBeamRow calls it) accepts the row; or the error Java
 * raised. Values are rendered so that nothing is lost on the way to JSON: INT64 and DOUBLE as Java's decimal text,
 * DATETIME as epoch milliseconds, logical types as their Java value's text, BYTES as base64.
 */
public class RowCoderCheck {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  public static void main(String[] args) throws Exception {
    JsonNode input = new ObjectMapper().readTree(new File(args[0]));
    ArrayNode cases = JSON.arrayNode();
    for (JsonNode testCase : input.get("cases")) cases.add(checkCase(testCase));
    ObjectNode output = JSON.objectNode();
    output.set("cases", cases);
    System.out.println(new ObjectMapper().writeValueAsString(output));
  }

  private static ObjectNode checkCase(JsonNode testCase) throws Exception {
    byte[] proto = Base64.getDecoder().decode(testCase.get("schema").asText());
    Schema schema = SchemaTranslation.schemaFromProto(SchemaApi.Schema.parseFrom(proto));
    RowCoder coder = RowCoder.of(schema);
    Descriptor descriptor = storageWriteDescriptor(schema);
    ObjectNode out = JSON.objectNode();
    out.put("name", testCase.get("name").asText());
    out.put("schema", render(schema));
    ArrayNode rows = out.putArray("rows");
    for (JsonNode hex : testCase.get("rows")) rows.add(checkRow(coder, schema, descriptor, HexFormat.of().parseHex(hex.asText())));
    return out;
  }

  private static ObjectNode checkRow(RowCoder coder, Schema schema, Descriptor descriptor, byte[] bytes) {
    ObjectNode out = JSON.objectNode();
    try {
      ByteArrayInputStream in = new ByteArrayInputStream(bytes);
      Row row = coder.decode(in);
      out.put("unread", in.available());
      out.set("value", rowJson(schema, row));
      ByteArrayOutputStream again = new ByteArrayOutputStream();
      coder.encode(row, again);
      out.put("hex", HexFormat.of().formatHex(again.toByteArray()));
      out.put("storageWrite", storageWriteProblem(descriptor, row));
    } catch (Exception err) {
      out.put("error", err.toString());
    }
    return out;
  }

  /** The proto descriptor the Storage Write derives from the rows' schema (package-private at 2.49.0, so by reflection). */
  private static Descriptor storageWriteDescriptor(Schema schema) throws Exception {
    Method fromBeam = BeamRowToStorageApiProto.class.getDeclaredMethod("protoTableSchemaFromBeamSchema", Schema.class);
    fromBeam.setAccessible(true);
    com.google.cloud.bigquery.storage.v1.TableSchema table = (com.google.cloud.bigquery.storage.v1.TableSchema) fromBeam.invoke(null, schema);
    return TableRowToStorageApiProto.getDescriptorFromTableSchema(table, true, false);
  }

  private static String storageWriteProblem(Descriptor descriptor, Row row) {
    try {
      BeamRowToStorageApiProto.messageFromBeamRow(descriptor, row, null, -1);
      return "ok";
    } catch (RuntimeException err) {
      return err.toString();
    }
  }

  private static ObjectNode rowJson(Schema schema, Row row) {
    ObjectNode out = JSON.objectNode();
    for (int i = 0; i < schema.getFieldCount(); i++) {
      Schema.Field field = schema.getField(i);
      out.set(field.getName(), valueJson(field.getType(), row.getValue(i)));
    }
    return out;
  }

  private static JsonNode valueJson(Schema.FieldType type, Object value) {
    if (value == null) return JSON.nullNode();
    switch (type.getTypeName()) {
      case STRING:
        return JSON.textNode((String) value);
      case BOOLEAN:
        return JSON.booleanNode((Boolean) value);
      case INT64:
      case DOUBLE:
        return JSON.textNode(value.toString());
      case BYTES:
        return JSON.textNode(Base64.getEncoder().encodeToString((byte[]) value));
      case DATETIME:
        return JSON.numberNode(((ReadableInstant) value).getMillis());
      case LOGICAL_TYPE:
        return JSON.textNode(inputValue(type.getLogicalType(), value).toString());
      case ROW:
        return rowJson(type.getRowSchema(), (Row) value);
      case ARRAY:
      case ITERABLE:
        ArrayNode items = JSON.arrayNode();
        for (Object item : (Iterable<?>) value) items.add(valueJson(type.getCollectionElementType(), item));
        return items;
      default:
        throw new IllegalArgumentException("no JSON rendering for " + type.getTypeName());
    }
  }

  /** A decoded row holds a logical type's base value (days for a DATE); its Java value is what the transforms see. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object inputValue(Schema.LogicalType logicalType, Object value) {
    try {
      return logicalType.toInputType(value);
    } catch (ClassCastException alreadyInputType) {
      return value;
    }
  }

  /** `name: TYPE` per field, `?` when nullable: what Java made of our schema proto. */
  private static String render(Schema schema) {
    return schema.getFields().stream().map(f -> f.getName() + ": " + render(f.getType())).collect(Collectors.joining(", "));
  }

  private static String render(Schema.FieldType type) {
    String nullable = type.getNullable() ? "?" : "";
    switch (type.getTypeName()) {
      case ROW:
        return "ROW{" + render(type.getRowSchema()) + "}" + nullable;
      case ARRAY:
      case ITERABLE:
        return type.getTypeName() + "<" + render(type.getCollectionElementType()) + ">" + nullable;
      case LOGICAL_TYPE:
        // The class tells a logical type Java knows (e.g. SqlTypes.DATE's Date) from an UnknownLogicalType.
        Schema.LogicalType<?, ?> logical = type.getLogicalType();
        return logical.getClass().getSimpleName() + "(" + logical.getIdentifier() + ")" + nullable;
      default:
        return type.getTypeName() + nullable;
    }
  }
}
