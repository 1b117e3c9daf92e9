// Counts the analytics rows of a local-pipeline data directory after the process exited:
//   java -cp duckdb_jdbc.jar bench/DuckDbCount.java <analytics.duckdb>
// prints: events_raw=<rows> events=<rows> ids=<distinct ids in events_raw> dedup=<rows of events_dedup> bytes=<file size>
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

public class DuckDbCount {
    public static void main(String[] args) throws Exception {
        java.util.Properties ro = new java.util.Properties();
        ro.setProperty("duckdb.read_only", "true");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + args[0], ro);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM events_raw), (SELECT count(*) FROM events), "
                        + "(SELECT count(DISTINCT id) FROM events_raw), (SELECT count(*) FROM events_dedup)")) {
            rs.next();
            System.out.printf("events_raw=%d events=%d ids=%d dedup=%d bytes=%d%n", rs.getLong(1), rs.getLong(2), rs.getLong(3),
                    rs.getLong(4), Files.size(Path.of(args[0])));
        }
    }
}
