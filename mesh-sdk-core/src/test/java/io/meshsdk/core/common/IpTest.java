package io.meshsdk.core.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The hand-written address parser behind {@link AddressRange}. */
class IpTest {

  @Test
  void ipParsing() {
    assertThat(Ip.classify("127.0.0.1")).isEqualTo(0x7f000001L);
    assertThat(Ip.classify("255.255.255.255")).isEqualTo(0xffffffffL);
    assertThat(Ip.classify("1.2.3")).isEqualTo(Ip.NONE);
    assertThat(Ip.classify("1.2.3.4.5")).isEqualTo(Ip.NONE);
    assertThat(Ip.classify("1..3.4")).isEqualTo(Ip.NONE);
    assertThat(Ip.classify("::")).isEqualTo(Ip.V6);
    assertThat(Ip.classify(":::")).isEqualTo(Ip.NONE);
    assertThat(Ip.classify("1::2::3")).isEqualTo(Ip.NONE);
    assertThat(Ip.classify("1:2:3:4:5:6:7")).isEqualTo(Ip.NONE);
    assertThat(Ip.classify("1:2:3:4:5:6:7:8:9")).isEqualTo(Ip.NONE);
    assertThat(Ip.classify("12345::")).isEqualTo(Ip.NONE);
    assertThat(Ip.classify("1:")).isEqualTo(Ip.NONE);
    assertThat(Ip.classify("::g")).isEqualTo(Ip.NONE);
    assertThat(Ip.classify("::ffff:1.2.3.4")).isEqualTo(0x01020304L);
    assertThat(Ip.v6("1::", 1)).isEqualTo(0x0001_0000_0000_0000L);
    assertThat(Ip.v6("1:2:3:4:5:6:7:8", 1)).isEqualTo(0x0001_0002_0003_0004L);
    assertThat(Ip.v6("1:2:3:4:5:6:7:8", 2)).isEqualTo(0x0005_0006_0007_0008L);
    assertThat(Ip.v6("::1.2.3.4", 2)).isEqualTo(0x0102_0304L);
    assertThat(Ip.v6("1:2:3:4:5:6:1.2.3.4", 2)).isEqualTo(0x0005_0006_0102_0304L);
    assertThat(Ip.v6("a:b::c:d", 1)).isEqualTo(0x000a_000b_0000_0000L);
    assertThat(Ip.v6("a:b::c:d", 2)).isEqualTo(0x0000_0000_000c_000dL);
  }
}
