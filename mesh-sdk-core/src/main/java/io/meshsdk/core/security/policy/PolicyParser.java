package io.meshsdk.core.security.policy;

import io.meshsdk.core.common.CallerNames;
import io.meshsdk.core.common.AddressRange;
import io.meshsdk.core.common.ServiceNames;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The policy file's grammar (docs/security.md, "Policy reference"); every error names source, line and reason. */
final class PolicyParser {

  static final int MAX_LINE_LENGTH = 4096;
  static final int MAX_RULES_PER_SECTION = 10_000;
  static final int MAX_RULES = 100_000;
  /** Distinct method tokens per section (one bit each in a long). */
  static final int MAX_METHODS = 63;
  static final int MAX_ID_LENGTH = 64;

  private static final String INBOUND_KEYS = "caller, caller-prefix, trust-domain, method, path, source";
  private static final String EGRESS_KEYS = "service, method, path";
  private static final Set<String> INBOUND_KEY_SET =
      Set.of("caller", "caller-prefix", "trust-domain", "method", "path", "source");
  private static final Set<String> EGRESS_KEY_SET = Set.of("service", "method", "path");
  private static final Set<String> INBOUND_ONLY = Set.of("caller", "caller-prefix", "trust-domain", "source");
  private static final Set<String> EGRESS_ONLY = Set.of("service");

  private final String source;
  private final List<SectionSpec> sections = new ArrayList<>();
  private int totalRules;
  // the open section
  private @Nullable String name;
  private boolean egress;
  private int sectionLine;
  private @Nullable Verdict defaultVerdict;
  private @Nullable Boolean dryRun;
  private final List<RuleSpec> rules = new ArrayList<>();
  private final Set<String> ids = new HashSet<>();
  private final Set<String> methods = new HashSet<>();
  private final Set<String> seenSections = new HashSet<>();
  private int lineNo;

  private PolicyParser(String source) {
    this.source = source;
  }

  /** Decodes UTF-8 strictly: a malformed byte sequence fails naming its line. */
  static String decode(byte[] bytes, String source) throws PolicyException {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult r = decoder.decode(in, out, true);
    if (!r.isError()) {
      r = decoder.flush(out);
    }
    if (r.isError()) {
      int line = 1;
      int column = 1;
      for (int i = 0; i < in.position(); i++) {
        if (bytes[i] == '\n') {
          line++;
          column = 1;
        } else {
          column++;
        }
      }
      throw new PolicyException(source, "", line, "not UTF-8: invalid byte 0x"
          + String.format(Locale.ROOT, "%02x", bytes[in.position()] & 0xff) + " at byte " + column
          + " of the line");
    }
    out.flip();
    return out.toString();
  }

  static List<SectionSpec> parse(String text, String source) throws PolicyException {
    PolicyParser p = new PolicyParser(source);
    p.run(text);
    return p.sections;
  }

  private void run(String text) throws PolicyException {
    int n = text.length();
    int start = 0;
    if (n > 0 && text.charAt(0) == '\uFEFF') {
      start = 1; // a byte order mark
    }
    while (start < n) {
      lineNo++;
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = n;
      }
      int lineEnd = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
      if (lineEnd - start > MAX_LINE_LENGTH) {
        throw error("line is longer than " + MAX_LINE_LENGTH + " characters");
      }
      line(text, start, lineEnd);
      start = end + 1;
    }
    closeSection();
  }

  private PolicyException error(String reason) {
    return new PolicyException(source, name == null ? "" : name, lineNo, reason);
  }

  private void line(String text, int start, int end) throws PolicyException {
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if ((c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f)) {
        throw error((c == 0 ? "NUL character" : "control character U+" + String.format(Locale.ROOT, "%04X",
            (int) c)) + " at column " + (i - start + 1));
      }
      if (c == '#') {
        end = i;
        break;
      }
    }
    List<String> tokens = new ArrayList<>();
    int i = start;
    while (i < end) {
      while (i < end && isSpace(text.charAt(i))) {
        i++;
      }
      int s = i;
      while (i < end && !isSpace(text.charAt(i))) {
        i++;
      }
      if (i > s) {
        tokens.add(text.substring(s, i));
      }
    }
    if (tokens.isEmpty()) {
      return;
    }
    String directive = tokens.get(0);
    switch (directive) {
      case "service" -> openService(tokens);
      case "egress" -> openEgress(tokens);
      case "default" -> setDefault(tokens);
      case "mode" -> setMode(tokens);
      case "allow" -> rule(Verdict.ALLOW, tokens);
      case "deny" -> rule(Verdict.DENY, tokens);
      default -> throw error("unknown directive \"" + directive
          + "\" (expected: service, egress, default, mode, allow, deny)");
    }
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t';
  }

  private void openService(List<String> tokens) throws PolicyException {
    closeSection();
    if (tokens.size() != 2) {
      throw error("expected \"service <name>\"");
    }
    String service = ServiceNames.canonicalOrNull(tokens.get(1));
    if (service == null) {
      throw error("\"" + tokens.get(1) + "\" is not " + ServiceNames.EXPECTED);
    }
    open(service, false, "service \"" + service + "\"");
  }

  private void openEgress(List<String> tokens) throws PolicyException {
    closeSection();
    if (tokens.size() != 1) {
      throw error("expected \"egress\" alone on its line");
    }
    open("egress", true, "section \"egress\"");
  }

  private void open(String section, boolean isEgress, String what) throws PolicyException {
    String key = (isEgress ? "e:" : "s:") + section;
    if (!seenSections.add(key)) {
      throw error("duplicate " + what + " (each section at most once)");
    }
    name = section;
    egress = isEgress;
    sectionLine = lineNo;
  }

  private void closeSection() {
    String section = name;
    if (section == null) {
      return;
    }
    sections.add(new SectionSpec(section, egress, sectionLine,
        defaultVerdict == null ? Verdict.ALLOW : defaultVerdict, dryRun != null && dryRun, List.copyOf(rules)));
    name = null;
    defaultVerdict = null;
    dryRun = null;
    rules.clear();
    ids.clear();
    methods.clear();
  }

  private String requireSection(String directive) throws PolicyException {
    String section = name;
    if (section == null) {
      throw error("\"" + directive + "\" outside a section (start one with \"service <name>\" or \"egress\")");
    }
    return section;
  }

  private void setDefault(List<String> tokens) throws PolicyException {
    requireSection("default");
    if (tokens.size() != 2 || !(tokens.get(1).equals("allow") || tokens.get(1).equals("deny"))) {
      throw error("expected \"default allow\" or \"default deny\"");
    }
    if (defaultVerdict != null) {
      throw error("duplicate \"default\" in this section");
    }
    defaultVerdict = tokens.get(1).equals("allow") ? Verdict.ALLOW : Verdict.DENY;
  }

  private void setMode(List<String> tokens) throws PolicyException {
    requireSection("mode");
    if (tokens.size() != 2 || !(tokens.get(1).equals("enforce") || tokens.get(1).equals("dry-run"))) {
      throw error("expected \"mode enforce\" or \"mode dry-run\"");
    }
    if (dryRun != null) {
      throw error("duplicate \"mode\" in this section");
    }
    dryRun = tokens.get(1).equals("dry-run");
  }

  private void rule(Verdict verdict, List<String> tokens) throws PolicyException {
    String section = requireSection(verdict.tag());
    if (tokens.size() < 2) {
      throw error("expected \"" + verdict.tag() + " <id> [key=value ...]\"");
    }
    String id = tokens.get(1);
    if (!validId(id)) {
      throw error("bad rule id \"" + id + "\" (1-" + MAX_ID_LENGTH + " of A-Z a-z 0-9 . _ -; \"default\" is"
          + " reserved)");
    }
    if (!ids.add(id)) {
      throw error("duplicate rule id \"" + id + "\" in " + (egress ? "the egress section" : "service \""
          + section + "\""));
    }
    if (rules.size() >= MAX_RULES_PER_SECTION) {
      throw error("too many rules in " + (egress ? "the egress section" : "service \"" + section + "\"")
          + " (at most " + MAX_RULES_PER_SECTION + " per section)");
    }
    if (totalRules >= MAX_RULES) {
      throw error("too many rules (at most " + MAX_RULES + " per policy)");
    }
    Map<String, List<String>> kv = new HashMap<>();
    for (int i = 2; i < tokens.size(); i++) {
      String t = tokens.get(i);
      int eq = t.indexOf('=');
      if (eq < 0) {
        throw error("\"" + t + "\" in rule \"" + id + "\" is not key=value");
      }
      String key = t.substring(0, eq);
      String value = t.substring(eq + 1);
      if (!(egress ? EGRESS_KEY_SET : INBOUND_KEY_SET).contains(key)) {
        if (egress && INBOUND_ONLY.contains(key)) {
          throw error("key \"" + key + "\" in rule \"" + id + "\" is for service sections only, not egress"
              + " (allowed here: " + EGRESS_KEYS + ")");
        }
        if (!egress && EGRESS_ONLY.contains(key)) {
          throw error("key \"" + key + "\" in rule \"" + id + "\" is for the egress section only"
              + " (allowed here: " + INBOUND_KEYS + ")");
        }
        throw error("unknown key \"" + key + "\" in rule \"" + id + "\" (allowed: "
            + (egress ? EGRESS_KEYS : INBOUND_KEYS) + ")");
      }
      if (kv.containsKey(key)) {
        throw error("duplicate key \"" + key + "\" in rule \"" + id + "\" (give one key a comma list)");
      }
      if (value.isEmpty()) {
        throw error("empty value for \"" + key + "\" in rule \"" + id + "\"");
      }
      List<String> values = new ArrayList<>();
      int s = 0;
      while (true) {
        int comma = value.indexOf(',', s);
        String v = comma < 0 ? value.substring(s) : value.substring(s, comma);
        if (v.isEmpty()) {
          throw error("empty value in the list \"" + value + "\" of \"" + key + "\" in rule \"" + id + "\"");
        }
        values.add(v);
        if (comma < 0) {
          break;
        }
        s = comma + 1;
      }
      kv.put(key, values);
    }
    try {
      rules.add(new RuleSpec(id, verdict, lineNo,
          callers(kv.get("caller")),
          prefixes(kv.get("caller-prefix")),
          trustDomains(kv.get("trust-domain")),
          methods(kv.get("method")),
          paths(kv.get("path")),
          sources(kv.get("source")),
          services(kv.get("service"))));
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage() + " in rule \"" + id + "\"");
    }
    totalRules++;
  }

  private static boolean validId(String id) {
    if (id.isEmpty() || id.length() > MAX_ID_LENGTH || id.equals(Decision.DEFAULT_RULE)) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
          || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private static String[] callers(@Nullable List<String> values) {
    if (values == null) {
      return new String[0];
    }
    Set<String> out = new LinkedHashSet<>();
    for (String v : values) {
      String c = CallerNames.normalise(v);
      if (c.equals(CallerNames.ANONYMOUS) && !v.equalsIgnoreCase(CallerNames.ANONYMOUS)) {
        throw new IllegalArgumentException("caller \"" + v + "\" is not a caller identity (a SPIFFE id, a"
            + " service name or anonymous: at most " + CallerNames.MAX_LENGTH + " of A-Z a-z 0-9 - _ . : /)");
      }
      out.add(c);
    }
    return out.toArray(new String[0]);
  }

  private static String[] prefixes(@Nullable List<String> values) {
    if (values == null) {
      return new String[0];
    }
    Set<String> out = new LinkedHashSet<>();
    for (String v : values) {
      for (int i = 0; i < v.length(); i++) {
        if (!CallerNames.allowed(v.charAt(i))) {
          throw new IllegalArgumentException("caller-prefix \"" + v + "\" holds a character no caller identity"
              + " has (allowed: A-Z a-z 0-9 - _ . : /)");
        }
      }
      if (v.length() > CallerNames.MAX_LENGTH) {
        throw new IllegalArgumentException("caller-prefix \"" + v + "\" is longer than any caller identity ("
            + CallerNames.MAX_LENGTH + ")");
      }
      out.add(v.toLowerCase(Locale.ROOT));
    }
    return out.toArray(new String[0]);
  }

  private static String[] trustDomains(@Nullable List<String> values) {
    if (values == null) {
      return new String[0];
    }
    Set<String> out = new LinkedHashSet<>();
    for (String v : values) {
      String td = ServiceNames.canonicalOrNull(v);
      if (td == null || v.startsWith("spiffe:")) {
        throw new IllegalArgumentException("trust-domain \"" + v + "\" is not a trust domain (a DNS-like name"
            + " such as prod.example, without spiffe://)");
      }
      out.add("spiffe://" + td + "/");
    }
    return out.toArray(new String[0]);
  }

  private String[] methods(@Nullable List<String> values) {
    if (values == null) {
      return new String[0];
    }
    Set<String> out = new LinkedHashSet<>();
    for (String v : values) {
      for (int i = 0; i < v.length(); i++) {
        if (!tchar(v.charAt(i))) {
          throw new IllegalArgumentException("method \"" + v + "\" is not an HTTP method token");
        }
      }
      String m = v.toUpperCase(Locale.ROOT);
      out.add(m);
      methods.add(m);
      if (methods.size() > MAX_METHODS) {
        throw new IllegalArgumentException("more than " + MAX_METHODS + " distinct methods in one section");
      }
    }
    return out.toArray(new String[0]);
  }

  /** RFC 9110 tchar. */
  private static boolean tchar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }

  private static PathPattern[] paths(@Nullable List<String> values) {
    if (values == null) {
      return new PathPattern[0];
    }
    List<PathPattern> out = new ArrayList<>();
    for (String v : values) {
      out.add(PathPattern.compile(v));
    }
    return out.toArray(new PathPattern[0]);
  }

  private static AddressRange[] sources(@Nullable List<String> values) {
    if (values == null) {
      return new AddressRange[0];
    }
    List<AddressRange> out = new ArrayList<>();
    for (String v : values) {
      out.add(AddressRange.parse(v));
    }
    return out.toArray(new AddressRange[0]);
  }

  private static String[] services(@Nullable List<String> values) {
    if (values == null) {
      return new String[0];
    }
    Set<String> out = new LinkedHashSet<>();
    for (String v : values) {
      String s = ServiceNames.canonicalOrNull(v);
      if (s == null) {
        throw new IllegalArgumentException("service \"" + v + "\" is not " + ServiceNames.EXPECTED);
      }
      out.add(s);
    }
    return out.toArray(new String[0]);
  }
}
