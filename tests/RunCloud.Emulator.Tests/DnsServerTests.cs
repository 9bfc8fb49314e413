using System.Net;
using System.Net.Sockets;
using RunCloud.Emulator;
using Xunit;

namespace RunCloud.Emulator.Tests;

/// <summary>The emulator's DNS table over the DNS wire protocol (UDP), for clients whose resolver can be pointed at a server.</summary>
public class DnsServerTests
{
    private static byte[] Query(ushort id, string name, int type)
    {
        var q = new List<byte> { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        q.AddRange(DnsWire.EncodeName(name));
        q.AddRange(new byte[] { (byte)(type >> 8), (byte)type, 0, 1 });
        return q.ToArray();
    }

    private static async Task<(int id, int rcode, bool authoritative, List<(string name, int type, string data)> answers)> Ask(RunCloudEmulator emu, string name, int type, ushort id = 0x1234)
    {
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        var q = Query(id, name, type);
        await udp.SendAsync(q, q.Length, new IPEndPoint(IPAddress.Loopback, emu.DnsPort));
        var receive = udp.ReceiveAsync();
        Assert.Same(receive, await Task.WhenAny(receive, Task.Delay(5000)));
        var m = receive.Result.Buffer;
        int p = 12;
        DnsWire.ReadName(m, m.Length, ref p);
        p += 4;
        int an = (m[6] << 8) | m[7];
        var answers = new List<(string, int, string)>();
        for (int i = 0; i < an; i++)
        {
            var owner = DnsWire.ReadName(m, m.Length, ref p)!;
            int t = (m[p] << 8) | m[p + 1];
            int len = (m[p + 8] << 8) | m[p + 9];
            p += 10;
            string data;
            if (t == 5) { int q2 = p; data = DnsWire.ReadName(m, m.Length, ref q2)!; }
            else data = new IPAddress(m.Skip(p).Take(len).ToArray()).ToString();
            p += len;
            answers.Add((owner, t, data));
        }
        return ((m[0] << 8) | m[1], m[3] & 0x0F, (m[2] & 0x04) != 0, answers);
    }

    [Fact]
    public async Task Answers_a_aaaa_and_cname_from_the_table_and_the_default()
    {
        using var h = new Harness(o => o.DnsPort = 0);
        Assert.NotEqual(0, h.Emu.DnsPort);
        var shop = await Ask(h.Emu, "Shop.Example.com", 1, 0xBEEF);
        Assert.Equal((0xBEEF, 0, true), (shop.id, shop.rcode, shop.authoritative));
        Assert.Equal(new[] { ("shop.example.com", 1, EmulatorDefaults.ServerIpAddress) }, shop.answers);

        h.Emu.Dns.SetAddresses("late.example.com", new[] { "198.51.100.1", "2001:db8::1" });
        h.Emu.Dns.SetCName("www.late.example.com", "late.example.com");
        var a = await Ask(h.Emu, "www.late.example.com", 1);
        Assert.Equal(new[] { ("www.late.example.com", 5, "late.example.com"), ("late.example.com", 1, "198.51.100.1") }, a.answers);
        var aaaa = await Ask(h.Emu, "late.example.com", 28);
        Assert.Equal(new[] { ("late.example.com", 28, "2001:db8::1") }, aaaa.answers);
        var cname = await Ask(h.Emu, "www.late.example.com", 5);
        Assert.Equal(new[] { ("www.late.example.com", 5, "late.example.com") }, cname.answers);
    }

    [Fact]
    public async Task Unpointed_and_unknown_names_are_nxdomain_and_other_types_get_no_answer()
    {
        using var h = new Harness(o => o.DnsPort = 0);
        h.Emu.Dns.SetUnpointed("blog.example.com");
        var blog = await Ask(h.Emu, "blog.example.com", 1);
        Assert.Equal(3, blog.rcode);
        Assert.Empty(blog.answers);
        Assert.Equal(3, (await Ask(h.Emu, "nowhere.example.net", 1)).rcode);
        var mx = await Ask(h.Emu, "shop.example.com", 15);
        Assert.Equal(0, mx.rcode);
        Assert.Empty(mx.answers);
    }

    [Fact]
    public void Without_a_dns_port_there_is_no_responder_and_garbage_gets_no_answer()
    {
        using var h = new Harness();
        Assert.Equal(0, h.Emu.DnsPort);
        Assert.Null(DnsWire.Answer(new byte[5], 5, h.Emu.Dns));
        var response = Query(1, "shop.example.com", 1);
        response[2] |= 0x80; // a response, not a query
        Assert.Null(DnsWire.Answer(response, response.Length, h.Emu.Dns));
    }
}
