package dev.fanout.testsupport.bigquery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.bigquery.storage.v1.AppendRowsRequest;
import com.google.cloud.bigquery.storage.v1.AppendRowsResponse;
import com.google.cloud.bigquery.storage.v1.BigQueryWriteGrpc;
import com.google.cloud.bigquery.storage.v1.GetWriteStreamRequest;
import com.google.cloud.bigquery.storage.v1.RowError;
import com.google.cloud.bigquery.storage.v1.TableFieldSchema;
import com.google.cloud.bigquery.storage.v1.TableSchema;
import com.google.cloud.bigquery.storage.v1.WriteStream;
import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback gRPC fake of BigQuery's Storage Write API ({@code BigQueryWrite}) that the real
 * {@code StreamWriter} / {@code JsonStreamWriter} talk to over a plaintext channel with no
 * credentials. Serves {@code GetWriteStream} (the table schema and location) and {@code AppendRows}
 * on the {@code _default} stream of every table created with {@link #createTable}; the other RPCs
 * (application streams) answer UNIMPLEMENTED.
 *
 * <p>Like the real service it takes the writer schema from the first request of a connection (and
 * again whenever a multiplexed connection switches table), refuses a request of 10 MB or more,
 * refuses a writer schema with a field the table lacks or of an incompatible type (INVALID_ARGUMENT
 * for the whole request), and answers rows with a missing REQUIRED value or invalid JSON with row
 * errors (then none of the request's rows is written). Faults: {@link #faults()}. Accepted rows are
 * kept decoded for assertions ({@link #rows}): STRING and JSON columns as {@code String},
 * TIMESTAMP as {@code Instant}, INT64 as {@code Long}, BOOL as {@code Boolean}. Thread-safe.
 */
public final class BigQueryWriteFake implements AutoCloseable {

    /** The server's AppendRows request limit (https://cloud.google.com/bigquery/quotas#write-api-limits). */
    public static final int MAX_REQUEST_BYTES = 10_000_000;
    private static final int MAX_INBOUND_BYTES = 32 * 1024 * 1024;
    private static final Pattern STREAM = Pattern.compile("(projects/[^/]+/datasets/[^/]+/tables/[^/]+)(?:/streams/(.+))?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final Map<String, TableSchema> tables = new ConcurrentHashMap<>();
    private final Map<String, List<Map<String, Object>>> rows = new ConcurrentHashMap<>();
    private final List<Integer> requestSizes = new CopyOnWriteArrayList<>();
    private final AtomicInteger failedRequests = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final AppendFaults faults = new AppendFaults();
    private final String location;
    private final Server server;

    private BigQueryWriteFake(int port, String location) throws IOException {
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .maxInboundMessageSize(MAX_INBOUND_BYTES)
                .addService(new Service())
                .build()
                .start();
        // The client's connection pool is static and keyed by location: a location of our own keeps
        // every fake (every test) on its own pool, i.e. its own server.
        this.location = location != null ? location : "fake-" + server.getPort() + "-" + SEQUENCE.incrementAndGet();
    }

    /** Starts on an ephemeral loopback port. */
    public static BigQueryWriteFake start() {
        try {
            return new BigQueryWriteFake(0, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code 127.0.0.1:port}, for {@code BigQueryWriteSettings.setEndpoint}. */
    public String hostPort() {
        return InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getPort();
    }

    /** The location {@code GetWriteStream} reports (unique per fake). */
    public String location() {
        return location;
    }

    public AppendFaults faults() {
        return faults;
    }

    /** Creates (or replaces the schema of) {@code projects/P/datasets/D/tables/T}. */
    public void createTable(String project, String dataset, String table, TableSchema schema) {
        String name = "projects/" + project + "/datasets/" + dataset + "/tables/" + table;
        tables.put(name, schema);
        rows.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>());
    }

    /** Rows accepted into a table, by short name ({@code events}) or full name, in arrival order. */
    public List<Map<String, Object>> rows(String table) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map.Entry<String, List<Map<String, Object>>> e : rows.entrySet()) {
            if (e.getKey().equals(table) || e.getKey().endsWith("/tables/" + table)) {
                out.addAll(e.getValue());
            }
        }
        return out;
    }

    /** Waits until the table holds at least {@code n} rows; returns whether it did in time. */
    public boolean awaitRows(String table, int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (rows(table).size() < n) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Serialized sizes of every AppendRows request received, in order. */
    public List<Integer> requestSizes() {
        return Collections.unmodifiableList(new ArrayList<>(requestSizes));
    }

    /** Requests answered with an error (injected or not). */
    public int failedRequests() {
        return failedRequests.get();
    }

    /** AppendRows connections opened so far. */
    public int connections() {
        return connections.get();
    }

    /** Forgets accepted rows and request counts (tables and faults stay). */
    public void reset() {
        rows.values().forEach(List::clear);
        requestSizes.clear();
        failedRequests.set(0);
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ service

    private final class Service extends BigQueryWriteGrpc.BigQueryWriteImplBase {

        @Override
        public void getWriteStream(GetWriteStreamRequest request, StreamObserver<WriteStream> out) {
            Matcher m = STREAM.matcher(request.getName());
            TableSchema schema = m.matches() ? tables.get(m.group(1)) : null;
            if (schema == null) {
                out.onError(Status.NOT_FOUND.withDescription("Requested entity was not found: " + request.getName()).asRuntimeException());
                return;
            }
            out.onNext(WriteStream.newBuilder().setName(request.getName()).setType(WriteStream.Type.COMMITTED)
                    .setLocation(location).setTableSchema(schema).build());
            out.onCompleted();
        }

        @Override
        public StreamObserver<AppendRowsRequest> appendRows(StreamObserver<AppendRowsResponse> out) {
            connections.incrementAndGet();
            return new Connection(out);
        }
    }

    /** One AppendRows stream: the writer schema arrives once per table and is cached. */
    private final class Connection implements StreamObserver<AppendRowsRequest> {
        private final StreamObserver<AppendRowsResponse> out;
        private String stream;
        private String table;
        private Descriptors.Descriptor descriptor;
        private boolean closed;

        Connection(StreamObserver<AppendRowsResponse> out) {
            this.out = out;
        }

        @Override
        public synchronized void onNext(AppendRowsRequest req) {
            if (closed) {
                return;
            }
            requestSizes.add(req.getSerializedSize());
            if (!req.getWriteStream().isEmpty() && !req.getWriteStream().equals(stream)) {
                stream = req.getWriteStream();
                descriptor = null;
                Matcher m = STREAM.matcher(stream);
                table = m.matches() ? m.group(1) : null;
            }
            // The schema counts even when the request then fails: the client sends it once per connection.
            if (req.getProtoRows().hasWriterSchema()) {
                try {
                    FileDescriptorProto file = FileDescriptorProto.newBuilder()
                            .setName("writer.proto")
                            .addMessageType(req.getProtoRows().getWriterSchema().getProtoDescriptor()).build();
                    descriptor = Descriptors.FileDescriptor.buildFrom(file, new Descriptors.FileDescriptor[0])
                            .getMessageTypes().get(0);
                } catch (Descriptors.DescriptorValidationException e) {
                    fail(Status.Code.INVALID_ARGUMENT, "Invalid proto schema: " + e.getMessage());
                    return;
                }
            }
            Status.Code injected = faults.take();
            if (injected == Status.Code.UNAVAILABLE) {
                failedRequests.incrementAndGet();
                closed = true;
                out.onError(Status.UNAVAILABLE.withDescription("fake: injected UNAVAILABLE").asRuntimeException());
                return;
            }
            if (injected != null) {
                fail(injected, "fake: injected " + injected);
                return;
            }
            if (req.getSerializedSize() >= MAX_REQUEST_BYTES) {
                fail(Status.Code.INVALID_ARGUMENT, "AppendRows request too large: " + req.getSerializedSize() + " limit " + MAX_REQUEST_BYTES);
                return;
            }
            TableSchema schema = table == null ? null : tables.get(table);
            if (schema == null) {
                fail(Status.Code.NOT_FOUND, "Requested entity was not found: " + stream);
                return;
            }
            if (descriptor == null) {
                fail(Status.Code.INVALID_ARGUMENT, "Writer schema must be set in the first request of a connection");
                return;
            }
            String mismatch = schemaMismatch(descriptor, schema);
            if (mismatch != null) {
                fail(Status.Code.INVALID_ARGUMENT, mismatch);
                return;
            }
            List<Map<String, Object>> decoded = new ArrayList<>();
            AppendRowsResponse.Builder errors = AppendRowsResponse.newBuilder();
            List<ByteString> serialized = req.getProtoRows().getRows().getSerializedRowsList();
            for (int i = 0; i < serialized.size(); i++) {
                Map<String, Object> row;
                String error;
                try {
                    row = decode(DynamicMessage.parseFrom(descriptor, serialized.get(i)), schema);
                    error = rowProblem(row, schema);
                } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
                    row = null;
                    error = "Could not parse the row: " + e.getMessage();
                }
                if (error == null && row != null) {
                    error = faults.rowError(row);
                }
                if (error != null) {
                    errors.addRowErrors(RowError.newBuilder().setIndex(i).setCode(RowError.RowErrorCode.FIELDS_ERROR).setMessage(error));
                }
                decoded.add(row);
            }
            if (errors.getRowErrorsCount() > 0) {
                failedRequests.incrementAndGet();
                out.onNext(errors.setError(com.google.rpc.Status.newBuilder().setCode(Status.Code.INVALID_ARGUMENT.value())
                        .setMessage("Errors found while processing rows. Please refer to the row_errors field for details. "
                                + "The list may not be complete because of the size limitations."))
                        .setWriteStream(stream).build());
                return;
            }
            rows.get(table).addAll(decoded);
            out.onNext(AppendRowsResponse.newBuilder()
                    .setAppendResult(AppendRowsResponse.AppendResult.getDefaultInstance())
                    .setWriteStream(stream).build());
        }

        private void fail(Status.Code code, String message) {
            failedRequests.incrementAndGet();
            out.onNext(AppendRowsResponse.newBuilder()
                    .setError(com.google.rpc.Status.newBuilder().setCode(code.value()).setMessage(message))
                    .setWriteStream(stream == null ? "" : stream).build());
        }

        @Override
        public synchronized void onError(Throwable t) {
            closed = true;
        }

        @Override
        public synchronized void onCompleted() {
            if (!closed) {
                closed = true;
                out.onCompleted();
            }
        }
    }

    /** A writer field the table lacks, or of a type the column does not take; null if compatible. */
    static String schemaMismatch(Descriptors.Descriptor d, TableSchema schema) {
        List<String> extra = new ArrayList<>();
        for (Descriptors.FieldDescriptor f : d.getFields()) {
            TableFieldSchema col = column(schema, f.getName());
            if (col == null) {
                extra.add(f.getName());
                continue;
            }
            boolean ok = switch (col.getType()) {
                case STRING, JSON -> f.getJavaType() == Descriptors.FieldDescriptor.JavaType.STRING;
                case TIMESTAMP, INT64 -> f.getJavaType() == Descriptors.FieldDescriptor.JavaType.LONG
                        || f.getJavaType() == Descriptors.FieldDescriptor.JavaType.STRING;
                case BOOL -> f.getJavaType() == Descriptors.FieldDescriptor.JavaType.BOOLEAN;
                default -> true;
            };
            if (!ok) {
                return "The proto field mismatched with BigQuery field at " + d.getName() + "." + f.getName()
                        + ", the proto field type " + f.getType().name().toLowerCase() + ", BigQuery field type " + col.getType();
            }
        }
        return extra.isEmpty() ? null
                : "Input schema has more fields than BigQuery schema, extra fields: '" + String.join(",", extra) + "'";
    }

    private static TableFieldSchema column(TableSchema schema, String name) {
        for (TableFieldSchema c : schema.getFieldsList()) {
            if (c.getName().equalsIgnoreCase(name)) {
                return c;
            }
        }
        return null;
    }

    private static Map<String, Object> decode(DynamicMessage m, TableSchema schema) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (Map.Entry<Descriptors.FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
            TableFieldSchema col = column(schema, e.getKey().getName());
            Object v = e.getValue();
            if (col != null && col.getType() == TableFieldSchema.Type.TIMESTAMP) {
                v = v instanceof Long micros
                        ? Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L)
                        : Instant.parse(v.toString());
            }
            row.put(col == null ? e.getKey().getName() : col.getName(), v);
        }
        return row;
    }

    /** A missing REQUIRED value or invalid JSON text; null if the row is fine. */
    private static String rowProblem(Map<String, Object> row, TableSchema schema) {
        for (TableFieldSchema c : schema.getFieldsList()) {
            Object v = row.get(c.getName());
            if (v == null && c.getMode() == TableFieldSchema.Mode.REQUIRED) {
                return "Field " + c.getName() + " is required but missing";
            }
            if (v != null && c.getType() == TableFieldSchema.Type.JSON) {
                try {
                    JSON.readTree(v.toString());
                } catch (IOException e) {
                    return "Field " + c.getName() + ": invalid JSON";
                }
            }
        }
        return null;
    }
}
