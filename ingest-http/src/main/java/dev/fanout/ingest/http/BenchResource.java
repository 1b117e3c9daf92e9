package dev.fanout.ingest.http;

import dev.fanout.ingest.config.BenchConfig;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The load script's ceiling: the same HTTP stack and body streaming as {@code /v1/events}, with none
 * of the work. Off unless {@code fanout.bench.discard-endpoint=true}.
 */
@Path("/bench/discard")
public class BenchResource {

    private final boolean enabled;

    public BenchResource(BenchConfig config) {
        this.enabled = config.discardEndpoint();
    }

    @POST
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response discard(InputStream body) throws IOException {
        if (!enabled) {
            return Response.status(404).build();
        }
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = body.read(buf)) >= 0; ) {
            total += n;
        }
        return Response.ok(Map.of("bytes", total)).build();
    }
}
