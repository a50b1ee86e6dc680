package io.meshsdk.core.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AddressRangeTest {

  @Test
  void ipv4Blocks() {
    AddressRange r = AddressRange.parse("10.0.0.0/8");
    assertThat(r.contains("10.255.1.2")).isTrue();
    assertThat(r.contains("11.0.0.1")).isFalse();
    assertThat(r.contains("::ffff:10.1.2.3")).isTrue(); // IPv4-mapped IPv6 is the IPv4 address
    assertThat(AddressRange.parse("127.0.0.1").contains("127.0.0.1")).isTrue();
    assertThat(AddressRange.parse("127.0.0.1").contains("127.0.0.2")).isFalse();
    assertThat(AddressRange.parse("0.0.0.0/0").contains("203.0.113.9")).isTrue();
    assertThat(AddressRange.parse("0.0.0.0/0").contains("::1")).isFalse();
    assertThat(AddressRange.parse("192.168.4.0/22").contains("192.168.7.255")).isTrue();
    assertThat(AddressRange.parse("192.168.4.0/22").contains("192.168.8.0")).isFalse();
    assertThat(r.toString()).isEqualTo("10.0.0.0/8");
  }

  @Test
  void ipv6Blocks() {
    AddressRange loop = AddressRange.parse("::1/128");
    assertThat(loop.contains("0:0:0:0:0:0:0:1")).isTrue();
    assertThat(loop.contains("[::1]")).isTrue();
    assertThat(loop.contains("127.0.0.1")).isFalse();
    AddressRange doc = AddressRange.parse("2001:db8::/32");
    assertThat(doc.contains("2001:db8:ffff::1")).isTrue();
    assertThat(doc.contains("2001:db9::1")).isFalse();
    assertThat(AddressRange.parse("2001:DB8:0::/33").toString()).isEqualTo("2001:db8:0:0:0:0:0:0/33");
  }

  @Test
  void textThatIsNoAddressMatchesNothingAndIsNeverResolved() {
    AddressRange all = AddressRange.parse("0.0.0.0/0");
    for (String odd : new String[] {"", "localhost", "1.2.3", "1.2.3.4.5", "01.2.3.4", "256.1.1.1", "1.2.3.4 ",
        "fe80::1%eth0", "::g", "1..2.3", "1.2.3.", "x".repeat(10_000)}) {
      assertThat(all.contains(odd)).as(odd).isFalse();
    }
    assertThat(all.contains(null)).isFalse();
  }

  @Test
  void invalidBlocksSayWhatIsWrong() {
    assertThatThrownBy(() -> AddressRange.parse("10.0.0.1/8")).hasMessageContaining("host bits")
        .hasMessageContaining("10.0.0.0/8");
    assertThatThrownBy(() -> AddressRange.parse("10.0.0.0/33")).hasMessageContaining("over 32");
    assertThatThrownBy(() -> AddressRange.parse("::/129")).hasMessageContaining("over 128");
    assertThatThrownBy(() -> AddressRange.parse("10.0.0.0/")).hasMessageContaining("not a number");
    assertThatThrownBy(() -> AddressRange.parse("10.0.0.0/-1")).hasMessageContaining("not a number");
    assertThatThrownBy(() -> AddressRange.parse("example.com/24")).hasMessageContaining("not an IPv4 or IPv6");
    assertThat(AddressRange.parseList(" 10.0.0.0/8, ,::1 ")).hasSize(2);
  }
}
