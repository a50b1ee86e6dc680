package io.meshsdk.core.security.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every malformed input gets {@code source:line: reason}, never a parser's internals. */
class PolicyParserTest {

  private static PolicyException error(String text) {
    PolicyException e = catchThrowableOfType(PolicyException.class, () -> AccessPolicy.parse(text, "policy.conf"));
    assertThat(e).as("error for:\n%s", text).isNotNull();
    assertThat(e.source()).isEqualTo("policy.conf");
    assertThat(e.getMessage()).isEqualTo("policy.conf:" + e.line() + ": " + e.reason());
    assertThat(e.getMessage()).doesNotContain("Exception").doesNotContain("at io.");
    return e;
  }

  private static void fails(String text, int line, String reason) {
    PolicyException e = error(text);
    assertThat(e.line()).as("line of: %s", e.getMessage()).isEqualTo(line);
    assertThat(e.reason()).as("reason of: %s", e.getMessage()).contains(reason);
  }

  @Test
  void theSpecsExampleMessage() {
    PolicyException e = error("""
        service orders
          default deny
          mode enforce

        # comment
          allow x caller=a
          allow read-orders caller=a metod=GET
        """);
    assertThat(e.getMessage()).isEqualTo("policy.conf:7: unknown key \"metod\" in rule \"read-orders\" (allowed:"
        + " caller, caller-prefix, trust-domain, method, path, source)");
    assertThat(e.service()).isEqualTo("orders");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      unknown directive         | service a\\nalow x                        | 2 | unknown directive "alow"
      rule outside a section    | allow x                                  | 1 | "allow" outside a section
      default outside           | default deny                             | 1 | "default" outside a section
      mode outside              | mode dry-run                             | 1 | "mode" outside a section
      duplicate service         | service a\\nservice b\\nservice A         | 3 | duplicate service "a"
      duplicate egress          | egress\\negress                           | 2 | duplicate section "egress"
      service without name      | service                                  | 1 | expected "service <name>"
      service two names         | service a b                              | 1 | expected "service <name>"
      bad service name          | service in*ventory                       | 1 | is not a service name
      egress with argument      | egress x                                 | 1 | expected "egress" alone
      duplicate id              | service a\\nallow x\\ndeny x              | 3 | duplicate rule id "x"
      bad id chars              | service a\\nallow x/y                     | 2 | bad rule id "x/y"
      id too long               | service a\\nallow 12345678901234567890123456789012345678901234567890123456789012345 | 2 | bad rule id
      id reserved               | service a\\nallow default                 | 2 | "default" is reserved
      rule without id           | service a\\nallow                         | 2 | expected "allow <id>
      key without equals        | service a\\nallow x method                | 2 | "method" in rule "x" is not key=value
      unknown key               | service a\\nallow x metod=GET             | 2 | unknown key "metod" in rule "x"
      empty key                 | service a\\nallow x =GET                  | 2 | unknown key ""
      duplicate key             | service a\\nallow x method=GET method=PUT | 2 | duplicate key "method" in rule "x"
      empty value               | service a\\nallow x method=               | 2 | empty value for "method"
      empty list item           | service a\\nallow x method=GET,,PUT       | 2 | empty value in the list "GET,,PUT"
      trailing comma            | service a\\nallow x method=GET,           | 2 | empty value in the list
      egress key in service     | service a\\nallow x service=b             | 2 | "service" in rule "x" is for the egress section only
      service key in egress     | egress\\nallow x caller=b                 | 2 | "caller" in rule "x" is for service sections only
      source in egress          | egress\\nallow x source=10.0.0.0/8        | 2 | "source" in rule "x" is for service sections only
      cidr prefix too long      | service a\\nallow x source=10.0.0.0/33    | 2 | prefix length 33 is longer than 32 bits
      cidr v6 prefix too long   | service a\\nallow x source=::/129         | 2 | prefix length 129 is longer than 128
      cidr bad prefix           | service a\\nallow x source=10.0.0.0/x     | 2 | bad prefix length "x"
      cidr empty prefix         | service a\\nallow x source=10.0.0.0/      | 2 | bad prefix length ""
      cidr bad address          | service a\\nallow x source=10.0.0/8       | 2 | "10.0.0" is not an IPv4 address
      cidr octet too big        | service a\\nallow x source=10.0.0.256     | 2 | is not an IPv4 address
      cidr leading zero         | service a\\nallow x source=010.0.0.0/8    | 2 | no leading zeros
      cidr host bits            | service a\\nallow x source=10.0.0.1/8     | 2 | host bits set (did you mean 10.0.0.0/8?)
      cidr v6 host bits         | service a\\nallow x source=2001:db8::1/32 | 2 | host bits set
      cidr bad v6               | service a\\nallow x source=2001:db8:::/32 | 2 | is not an IPv6 address
      cidr hostname             | service a\\nallow x source=localhost      | 2 | is not an IPv4 address
      bad method                | service a\\nallow x method=GE(T           | 2 | method "GE(T" is not an HTTP method token
      path without slash        | service a\\nallow x path=orders           | 2 | path "orders" does not start with '/'
      path double star not last | service a\\nallow x path=/a/**/b          | 2 | '**' must be the last segment
      path empty segment        | service a\\nallow x path=/a//b            | 2 | has an empty segment
      path trailing slash       | service a\\nallow x path=/a/              | 2 | a trailing '/'
      path unbalanced brace     | service a\\nallow x path=/a/{id           | 2 | unbalanced or empty braces
      path closing brace        | service a\\nallow x path=/a/id}           | 2 | mixes text and braces
      path empty braces         | service a\\nallow x path=/a/{}            | 2 | unbalanced or empty braces
      path star in text         | service a\\nallow x path=/a/b*            | 2 | holds '*'
      path query                | service a\\nallow x path=/a?b=1           | 2 | the query string is never part
      bad default               | service a\\ndefault maybe                 | 2 | expected "default allow" or "default deny"
      duplicate default         | service a\\ndefault deny\\ndefault allow  | 3 | duplicate "default"
      bad mode                  | service a\\nmode dryrun                   | 2 | expected "mode enforce" or "mode dry-run"
      duplicate mode            | service a\\nmode enforce\\nmode dry-run   | 3 | duplicate "mode"
      bad caller                | service a\\nallow x caller=a;b            | 2 | is not a caller identity
      bad caller prefix         | service a\\nallow x caller-prefix=spiffe://a/b*  | 2 | caller-prefix "spiffe://a/b*"
      bad trust domain          | service a\\nallow x trust-domain=spiffe://a | 2 | is not a trust domain
      bad egress service        | egress\\nallow x service=a..b             | 2 | service "a..b" is not a service name
      """)
  void malformedInputNamesLineAndReason(String what, String text, int line, String reason) {
    fails(text.replace("\\n", "\n"), line, reason);
  }

  @Test
  void controlCharactersNulAndLongLines() {
    fails("service a\nallow x\u0000 path=/\n", 2, "NUL character at column 8");
    fails("service a\nallow x\u0007\n", 2, "control character U+0007 at column 8");
    fails("service a\rallow x\n", 1, "control character U+000D");
    fails("service a\nallow x path=/\u0085\n", 2, "control character U+0085");
    fails("service a\n# " + "x".repeat(4100) + "\n", 2, "line is longer than 4096 characters");
    assertThat(parses("service a\r\nallow x\tpath=/\r\n\t\n")).isEqualTo(1); // CRLF, tabs
    assertThat(parses("\uFEFFservice a\nallow x\n")).isEqualTo(1); // a byte order mark
    assertThat(parses("service a # comment\nallow x path=/a#b\n")).isEqualTo(1); // '#' starts a comment
    assertThat(parses("")).isZero();
    assertThat(parses("\n\n# only comments\n")).isZero();
  }

  @Test
  void nonUtf8FilesAreRefusedNamingTheLine() {
    byte[] bytes = "service a\nallow x path=/caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
    PolicyException e = catchThrowableOfType(PolicyException.class,
        () -> PolicyParser.decode(bytes, "policy.conf"));
    assertThat(e.getMessage()).startsWith("policy.conf:2: not UTF-8: invalid byte 0xe9");
    assertThat(e.line()).isEqualTo(2);
  }

  @Test
  void tooManyDistinctMethodsInOneSection() {
    StringBuilder sb = new StringBuilder("service a\n");
    for (int i = 0; i < 64; i++) {
      sb.append("allow r").append(i).append(" method=M").append(i).append('\n');
    }
    fails(sb.toString(), 65, "more than 63 distinct methods");
  }

  @Test
  void aHundredThousandRulesInOneSectionAreRefusedAtTheCap() {
    StringBuilder sb = new StringBuilder("service a\n");
    for (int i = 0; i < 100_000; i++) {
      sb.append("allow r").append(i).append(" caller=spiffe://td/ns/n/sa/s").append(i).append(" method=GET\n");
    }
    fails(sb.toString(), 10_002, "too many rules in service \"a\" (at most 10000 per section)");
  }

  @Test
  void aHundredThousandRulesOverTenSectionsParseWithinTheCaps() throws PolicyException {
    StringBuilder sb = new StringBuilder();
    for (int s = 0; s < 10; s++) {
      sb.append("service s").append(s).append('\n');
      for (int i = 0; i < 10_000; i++) {
        sb.append("allow r").append(i).append(" caller=spiffe://td/ns/n/sa/s").append(i)
            .append(" method=GET path=/a/{id}\n");
      }
    }
    AccessPolicy p = AccessPolicy.parse(sb.toString(), "big.conf");
    assertThat(p.ruleCount()).isEqualTo(100_000);
    ServicePolicy s9 = p.inbound("s9");
    assertThat(s9.decide("spiffe://td/ns/n/sa/s9999", "GET", "/a/1", null).ruleId()).isEqualTo("r9999");
    sb.append("service more\nallow one\n");
    fails(sb.toString(), 100_012, "too many rules (at most 100000 per policy)");
  }

  @Test
  void aTruncatedRuleIsStillCheckedWhole() {
    // a file cut in the middle of a value: the half rule parses only if it is valid on its own
    fails("service a\nallow x path=/a/{i", 2, "unbalanced");
  }

  @Test
  void errorsOutsideAnySectionHaveAnEmptyService() {
    PolicyException e = error("allow x\n");
    assertThat(e.service()).isEmpty();
  }

  @Test
  void validInputCompiles() throws PolicyException {
    AccessPolicy p = AccessPolicy.parse("""
        service orders
          allow a caller=anonymous,spiffe://td/x method=get,PROPFIND path=/,/a/*/{b}/**
          allow b source=::/0,0.0.0.0/0,fe80::/10,::ffff:10.0.0.0/104
        service inventory
        egress
          mode dry-run
          allow c service=Orders
        """, "inline");
    assertThat(p.services()).containsExactly("inventory", "orders");
    assertThat(p.egress().dryRun()).isTrue();
    assertThat(p.egress().decide("orders", "GET", "/").ruleId()).isEqualTo("c");
    assertThat(p.inbound("inventory").ruleCount()).isZero();
    assertThat(p.sourceName()).isEqualTo("inline");
    assertThatThrownBy(() -> AccessPolicy.parse("x", "inline")).hasMessage(
        "inline:1: unknown directive \"x\" (expected: service, egress, default, mode, allow, deny)");
  }

  private static int parses(String text) {
    try {
      return AccessPolicy.parse(text, "inline").ruleCount();
    } catch (PolicyException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }
}
