using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;

namespace RunCloud.Emulator
{
    /// <summary>
    /// The DNS wire protocol (RFC 1035) over UDP for the emulator's DNS table, so a client's resolver (DnsClient's
    /// LookupClient, dig @127.0.0.1 -p PORT, ...) can be pointed at it: A, AAAA and CNAME questions, CNAME chains in the
    /// answer, NXDOMAIN for names that do not resolve, NOERROR with no answer for other types. Not recursive, no EDNS.
    /// </summary>
    public static class DnsWire
    {
        private const int TypeA = 1, TypeCName = 5, TypeAaaa = 28, ClassIn = 1;

        /// <summary>The answer to one query message; null when the message is not a query this can read.</summary>
        public static byte[]? Answer(byte[] query, int length, EmulatorDns dns)
        {
            if (length < 12) return null;
            if ((query[2] & 0x80) != 0) return null; // a response, not a query
            int qd = (query[4] << 8) | query[5];
            if (qd < 1) return null;
            int p = 12;
            var name = ReadName(query, length, ref p);
            if (name == null || p + 4 > length) return null;
            int qtype = (query[p] << 8) | query[p + 1];
            int qclass = (query[p + 2] << 8) | query[p + 3];
            int questionEnd = p + 4;

            var answers = new List<byte[]>();
            int rcode = 0;
            if (qclass == ClassIn && name.Length > 0)
            {
                DnsAnswer a;
                try { a = dns.Resolve(name); }
                catch (ArgumentException) { a = new DnsAnswer { Name = name, Status = "NXDomain" }; }
                if (a.Status == "NXDomain") rcode = 3;
                var owner = a.Name;
                foreach (var target in a.CNames)
                {
                    answers.Add(Record(owner, TypeCName, EncodeName(target)));
                    owner = target;
                }
                if (qtype == TypeA || qtype == TypeAaaa || qtype == 255)
                    foreach (var addr in a.Addresses)
                        if (IPAddress.TryParse(addr, out var ip))
                        {
                            bool v6 = ip.AddressFamily == AddressFamily.InterNetworkV6;
                            if (qtype == 255 || (qtype == TypeAaaa) == v6) answers.Add(Record(owner, v6 ? TypeAaaa : TypeA, ip.GetAddressBytes()));
                        }
                if (qtype == TypeCName && answers.Count > 1) answers.RemoveRange(1, answers.Count - 1);
            }
            else
            {
                rcode = 4; // not implemented
            }

            var reply = new List<byte>();
            reply.Add(query[0]); reply.Add(query[1]); // id
            reply.Add((byte)(0x80 | (query[2] & 0x79) | 0x04)); // QR, opcode and RD copied, AA
            reply.Add((byte)(0x80 | rcode)); // RA, rcode
            reply.AddRange(new byte[] { 0, 1, (byte)(answers.Count >> 8), (byte)answers.Count, 0, 0, 0, 0 });
            for (int i = 12; i < questionEnd; i++) reply.Add(query[i]);
            foreach (var rr in answers) reply.AddRange(rr);
            return reply.ToArray();
        }

        private static byte[] Record(string owner, int type, byte[] rdata)
        {
            var r = new List<byte>(EncodeName(owner));
            r.AddRange(new[] { (byte)(type >> 8), (byte)type, (byte)0, (byte)ClassIn, (byte)0, (byte)0, (byte)1, (byte)0x2C }); // TTL 300
            r.Add((byte)(rdata.Length >> 8)); r.Add((byte)rdata.Length);
            r.AddRange(rdata);
            return r.ToArray();
        }

        /// <summary>A name in DNS label form (no compression).</summary>
        public static byte[] EncodeName(string name)
        {
            var bytes = new List<byte>();
            foreach (var label in name.TrimEnd('.').Split(new[] { '.' }, StringSplitOptions.RemoveEmptyEntries))
            {
                var b = Encoding.ASCII.GetBytes(label);
                bytes.Add((byte)Math.Min(63, b.Length));
                bytes.AddRange(b.Take(63));
            }
            bytes.Add(0);
            return bytes.ToArray();
        }

        /// <summary>Reads a (possibly compressed) name; null when malformed.</summary>
        public static string? ReadName(byte[] msg, int length, ref int p)
        {
            var labels = new List<string>();
            int jumps = 0, pos = p;
            bool jumped = false;
            while (pos < length)
            {
                int len = msg[pos];
                if (len == 0)
                {
                    if (!jumped) p = pos + 1;
                    return string.Join(".", labels).ToLowerInvariant();
                }
                if ((len & 0xC0) == 0xC0)
                {
                    if (pos + 1 >= length || ++jumps > 10) return null;
                    if (!jumped) p = pos + 2;
                    jumped = true;
                    pos = ((len & 0x3F) << 8) | msg[pos + 1];
                    continue;
                }
                if (pos + 1 + len > length) return null;
                labels.Add(Encoding.ASCII.GetString(msg, pos + 1, len));
                pos += 1 + len;
            }
            return null;
        }
    }

    public sealed partial class RunCloudEmulator
    {
        private UdpClient? _dnsUdp;
        private Task? _dnsLoop;

        /// <summary>The loopback UDP port of the DNS responder; 0 when none (EmulatorOptions.DnsPort, Start-RunCloudEmulator -DnsPort).</summary>
        public int DnsPort { get; private set; }

        private void StartDns(int port)
        {
            UdpClient udp;
            try
            {
                udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
            }
            catch (SocketException ex)
            {
                throw new InvalidOperationException($"The RunCloud emulator could not answer DNS on 127.0.0.1:{port}/udp: {ex.Message}", ex);
            }
            _dnsUdp = udp;
            DnsPort = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
            _dnsLoop = Task.Run(DnsLoop);
        }

        private void StopDns()
        {
            var u = _dnsUdp;
            if (u == null) return;
            try { u.Close(); } catch (SocketException) { }
            try { _dnsLoop?.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
        }

        private async Task DnsLoop()
        {
            var udp = _dnsUdp!;
            while (!_cts.IsCancellationRequested)
            {
                UdpReceiveResult r;
                try
                {
                    r = await udp.ReceiveAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is ObjectDisposedException || ex is SocketException)
                {
                    if (_cts.IsCancellationRequested) break;
                    continue;
                }
                var reply = DnsWire.Answer(r.Buffer, r.Buffer.Length, Dns);
                if (reply == null) continue;
                try { await udp.SendAsync(reply, reply.Length, r.RemoteEndPoint).ConfigureAwait(false); }
                catch (Exception ex) when (ex is ObjectDisposedException || ex is SocketException) { }
            }
        }
    }
}
