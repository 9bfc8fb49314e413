using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace RunCloud.PowerShell.Dns
{
    /// <summary>
    /// Asks chosen DNS servers (-DnsServer) directly: one UDP query for A and one for AAAA per name, CNAMEs followed
    /// (from the answer section, or by asking again for the target, up to 8 hops). Written here rather than taking
    /// DnsClient from NuGet: A/AAAA/CNAME over UDP is ~200 lines, and one more third-party dll would need its own
    /// AssemblyLoadContext isolation in PowerShell 7 and could clash with another module's copy in Windows PowerShell.
    /// A truncated answer (TC) still carries the addresses RunCloud needs; TCP fallback is not needed for A/AAAA.
    /// </summary>
    internal sealed class UdpDnsResolver : IDnsResolver
    {
        private const ushort TypeA = 1, TypeCname = 5, TypeAaaa = 28;
        private readonly IReadOnlyList<IPEndPoint> _servers;
        private readonly TimeSpan _timeout;

        public UdpDnsResolver(IReadOnlyList<IPEndPoint> servers, TimeSpan timeout)
        {
            if (servers.Count == 0) throw new ArgumentException("At least one DNS server is needed.", nameof(servers));
            _servers = servers;
            _timeout = timeout;
        }

        /// <summary>Parses "1.1.1.1", "1.1.1.1:53", "[2606:4700::1111]:53" or "::1"; null with a problem otherwise.</summary>
        public static IPEndPoint? ParseServer(string text, out string problem)
        {
            problem = string.Empty;
            string t = text.Trim();
            int port = 53;
            string host = t;
            if (t.StartsWith("[", StringComparison.Ordinal))
            {
                int close = t.IndexOf(']');
                if (close < 0) { problem = $"'{text}' opens '[' without ']'"; return null; }
                host = t.Substring(1, close - 1);
                string rest = t.Substring(close + 1);
                if (rest.StartsWith(":", StringComparison.Ordinal) && !int.TryParse(rest.Substring(1), NumberStyles.None, CultureInfo.InvariantCulture, out port)) port = -1;
            }
            else if (t.Count(c => c == ':') == 1)
            {
                int colon = t.IndexOf(':');
                host = t.Substring(0, colon);
                if (!int.TryParse(t.Substring(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port)) port = -1;
            }

            if (!IPAddress.TryParse(host, out IPAddress? address))
            {
                problem = $"'{text}' is not an IP address (give the resolver's address, e.g. 1.1.1.1 or 8.8.8.8:53)";
                return null;
            }

            if (port < 1 || port > 65535)
            {
                problem = $"'{text}' has an invalid port (1-65535)";
                return null;
            }

            return new IPEndPoint(address, port);
        }

        public async Task<DnsAnswer> ResolveAsync(string name, CancellationToken ct)
        {
            var answer = new DnsAnswer();
            string current = name.TrimEnd('.');
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { current };
            for (int hop = 0; hop < 8; hop++)
            {
                string? error = null;
                string? cname = null;
                foreach (ushort type in new[] { TypeA, TypeAaaa })
                {
                    var (addresses, cnames, rcodeError) = await QueryAsync(current, type, ct).ConfigureAwait(false);
                    foreach (string c in cnames) if (!answer.Cnames.Contains(c, StringComparer.OrdinalIgnoreCase)) answer.Cnames.Add(c);
                    answer.Addresses.AddRange(addresses.Where(a => !answer.Addresses.Contains(a)));
                    if (addresses.Count == 0 && cnames.Count > 0) cname = cnames[cnames.Count - 1];
                    error ??= rcodeError;
                }

                if (answer.Addresses.Count > 0) return answer;
                if (cname != null && seen.Add(cname))
                {
                    current = cname; // the server gave the alias without its target's records: ask for the target
                    continue;
                }

                answer.Error = error ?? "no A or AAAA record";
                return answer;
            }

            answer.Error = "too many CNAME hops";
            return answer;
        }

        private async Task<(List<IPAddress> Addresses, List<string> Cnames, string? Error)> QueryAsync(string name, ushort type, CancellationToken ct)
        {
            string? lastError = null;
            foreach (IPEndPoint server in _servers)
            {
                ushort id = (ushort)new Random().Next(0, 65536);
                byte[] query = BuildQuery(id, name, type);
                using var udp = new UdpClient(server.AddressFamily);
                try
                {
                    await udp.SendAsync(query, query.Length, server).ConfigureAwait(false);
                    Task<UdpReceiveResult> receive = udp.ReceiveAsync();
                    Task done = await Task.WhenAny(receive, Task.Delay(_timeout, ct)).ConfigureAwait(false);
                    ct.ThrowIfCancellationRequested();
                    if (done != receive)
                    {
                        lastError = $"no answer from {server} within {_timeout.TotalSeconds:0.#} s";
                        continue;
                    }

                    byte[] response = (await receive.ConfigureAwait(false)).Buffer;
                    return Parse(response, id);
                }
                catch (SocketException ex)
                {
                    lastError = $"{server}: {ex.Message}";
                }
                catch (FormatException ex)
                {
                    lastError = $"{server} sent an unreadable answer ({ex.Message})";
                }
            }

            return (new List<IPAddress>(), new List<string>(), lastError);
        }

        internal static byte[] BuildQuery(ushort id, string name, ushort type)
        {
            var bytes = new List<byte> { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 }; // RD, 1 question
            foreach (string label in name.Split(new[] { '.' }, StringSplitOptions.RemoveEmptyEntries))
            {
                byte[] l = Encoding.ASCII.GetBytes(new IdnMapping().GetAscii(label));
                bytes.Add((byte)l.Length);
                bytes.AddRange(l);
            }

            bytes.Add(0);
            bytes.AddRange(new[] { (byte)(type >> 8), (byte)type, (byte)0, (byte)1 });
            return bytes.ToArray();
        }

        internal static (List<IPAddress> Addresses, List<string> Cnames, string? Error) Parse(byte[] m, ushort id)
        {
            if (m.Length < 12) throw new FormatException("shorter than a DNS header");
            if (((m[0] << 8) | m[1]) != id) throw new FormatException("an answer to another query");
            int rcode = m[3] & 0x0F;
            int qd = (m[4] << 8) | m[5], an = (m[6] << 8) | m[7];
            var addresses = new List<IPAddress>();
            var cnames = new List<string>();
            if (rcode == 3) return (addresses, cnames, "the name does not exist (NXDOMAIN)");
            if (rcode != 0) return (addresses, cnames, $"the DNS server answered with error code {rcode}");
            int pos = 12;
            for (int i = 0; i < qd; i++)
            {
                ReadName(m, ref pos);
                pos += 4;
            }

            for (int i = 0; i < an; i++)
            {
                ReadName(m, ref pos);
                if (pos + 10 > m.Length) throw new FormatException("a truncated record");
                int type = (m[pos] << 8) | m[pos + 1];
                int length = (m[pos + 8] << 8) | m[pos + 9];
                pos += 10;
                if (pos + length > m.Length) throw new FormatException("a truncated record");
                if (type == TypeA && length == 4) addresses.Add(new IPAddress(m.Skip(pos).Take(4).ToArray()));
                else if (type == TypeAaaa && length == 16) addresses.Add(new IPAddress(m.Skip(pos).Take(16).ToArray()));
                else if (type == TypeCname)
                {
                    int p = pos;
                    cnames.Add(ReadName(m, ref p));
                }

                pos += length;
            }

            return (addresses, cnames, null);
        }

        internal static string ReadName(byte[] m, ref int pos)
        {
            var labels = new List<string>();
            int p = pos;
            bool jumped = false;
            for (int guard = 0; guard < 128; guard++)
            {
                if (p >= m.Length) throw new FormatException("a name runs past the end");
                int len = m[p];
                if (len == 0)
                {
                    if (!jumped) pos = p + 1;
                    return string.Join(".", labels);
                }

                if ((len & 0xC0) == 0xC0)
                {
                    if (p + 1 >= m.Length) throw new FormatException("a broken name pointer");
                    int target = ((len & 0x3F) << 8) | m[p + 1];
                    if (!jumped) pos = p + 2;
                    jumped = true;
                    p = target;
                    continue;
                }

                if (p + 1 + len > m.Length) throw new FormatException("a label runs past the end");
                labels.Add(Encoding.ASCII.GetString(m, p + 1, len));
                p += 1 + len;
            }

            throw new FormatException("a name with a pointer loop");
        }
    }
}
