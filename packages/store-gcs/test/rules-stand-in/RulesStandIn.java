import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stands in for the Firebase Storage rules runtime, which the emulator would download: it answers
 * the emulator's newline-delimited JSON requests on stdin, permitting everything. The request's own
 * "id" is its last field.
 */
public class RulesStandIn {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, true, "UTF-8");
    Pattern id = Pattern.compile("\"id\":(-?\\d+)\\}\\s*$");
    out.println("{\"id\":-1,\"status\":\"ok\",\"errors\":[],\"warnings\":[]}");
    for (String line; (line = in.readLine()) != null; ) {
      Matcher request = id.matcher(line);
      if (!request.find()) continue;
      String result = line.contains("\"action\":\"load_ruleset\"") ? "{\"rulesVersion\":2}" : "{\"permit\":true}";
      out.println("{\"id\":" + request.group(1) + ",\"status\":\"ok\",\"errors\":[],\"warnings\":[],\"result\":" + result + "}");
    }
  }
}
