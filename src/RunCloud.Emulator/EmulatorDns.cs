using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace RunCloud.Emulator
{
    /// <summary>An entry of the emulator's DNS table: addresses (A/AAAA), or a CNAME, or nothing (the name does not resolve).</summary>
    public sealed class DnsRecord
    {
        public string Name { get; set; } = "";
        /// <summary>IPv4 and IPv6 addresses (A and AAAA records). Empty with no CName: NXDOMAIN (the name is not pointed anywhere).</summary>
        public List<string> Addresses { get; set; } = new List<string>();
        /// <summary>A CNAME target, followed when resolving (the addresses are then the target's).</summary>
        public string? CName { get; set; }
        /// <summary>
        /// The addresses are a proxy's (e.g. Cloudflare's orange cloud) that forwards HTTP to the web app's server: a naive DNS
        /// check sees foreign addresses, yet Let's Encrypt's HTTP-01 validation reaches the server and succeeds.
        /// </summary>
        public bool Proxied { get; set; }

        internal DnsRecord Clone() => new DnsRecord { Name = Name, Addresses = new List<string>(Addresses), CName = CName, Proxied = Proxied };
    }

    /// <summary>What resolving a name in the emulator's DNS gives (CNAMEs followed).</summary>
    public sealed class DnsAnswer
    {
        /// <summary>The name asked for (lower case, no trailing dot).</summary>
        public string Name { get; set; } = "";
        /// <summary>NoError or NXDomain.</summary>
        public string Status { get; set; } = "NoError";
        /// <summary>The CNAME targets followed, in order.</summary>
        public List<string> CNames { get; set; } = new List<string>();
        /// <summary>The final A and AAAA addresses; empty for NXDOMAIN.</summary>
        public List<string> Addresses { get; set; } = new List<string>();
        /// <summary>The final record is proxied to the server (see DnsRecord.Proxied).</summary>
        public bool Proxied { get; set; }
        /// <summary>True when no entry of the table was used: the default (a domain of a web app points at its server's IP).</summary>
        public bool IsDefault { get; set; }

        public bool Resolves => Status == "NoError" && Addresses.Count > 0;

        public override string ToString() =>
            Name + " -> " + (Resolves ? string.Join(", ", (CNames.Count > 0 ? CNames.Select(c => "CNAME " + c) : Enumerable.Empty<string>()).Concat(Addresses)) : Status)
            + (Proxied ? " (proxied)" : "");
    }

    /// <summary>
    /// The emulator's DNS: a table of entries that tests and users set, over a default in which every domain of a web app
    /// (and its www. variant, and names under a wildcard domain) points at its server's IP address. Names that are neither
    /// in the table nor a domain of any web app do not resolve (NXDOMAIN). Let's Encrypt's HTTP-01 validation in the
    /// emulator uses it; clients' DNS-readiness checks can use it as their resolver (Resolve, the Resolve-RunCloudEmulatorDns
    /// cmdlet, or GET /_emulator/dns-query?name=...&amp;type=A in DNS-over-HTTPS JSON form).
    /// </summary>
    public sealed class EmulatorDns
    {
        private const int MaxCNameHops = 8;
        private readonly EmulatorState _state;
        private readonly object _lock = new object();
        private readonly Dictionary<string, DnsRecord> _table = new Dictionary<string, DnsRecord>(StringComparer.OrdinalIgnoreCase);

        internal EmulatorDns(EmulatorState state) { _state = state; }

        internal static string Normalise(string? name)
        {
            var n = (name ?? "").Trim().TrimEnd('.').ToLowerInvariant();
            if (n.Length == 0) throw new ArgumentException("A DNS name is needed.", nameof(name));
            return n;
        }

        /// <summary>Points a name at addresses (A/AAAA). Proxied: the addresses are a proxy's that forwards HTTP to the server.</summary>
        public void SetAddresses(string name, IEnumerable<string> addresses, bool proxied = false)
        {
            var list = (addresses ?? Enumerable.Empty<string>()).Select(a => (a ?? "").Trim()).Where(a => a.Length > 0).ToList();
            foreach (var a in list)
                if (!IPAddress.TryParse(a, out _)) throw new ArgumentException($"'{a}' is not an IPv4 or IPv6 address.", nameof(addresses));
            if (list.Count == 0) throw new ArgumentException("At least one address is needed; use SetUnpointed for a name that does not resolve.", nameof(addresses));
            var n = Normalise(name);
            lock (_lock) _table[n] = new DnsRecord { Name = n, Addresses = list, Proxied = proxied };
        }

        /// <summary>Makes a name an alias (CNAME) of another.</summary>
        public void SetCName(string name, string target)
        {
            var n = Normalise(name);
            var t = Normalise(target);
            if (n == t) throw new ArgumentException("A CNAME cannot point at itself.", nameof(target));
            lock (_lock) _table[n] = new DnsRecord { Name = n, CName = t };
        }

        /// <summary>Makes a name resolve to nothing (NXDOMAIN): e.g. a customer mapped the domain before changing its DNS.</summary>
        public void SetUnpointed(string name)
        {
            var n = Normalise(name);
            lock (_lock) _table[n] = new DnsRecord { Name = n };
        }

        /// <summary>Removes a name's entry: it follows the default again. True when there was one.</summary>
        public bool Remove(string name)
        {
            var n = Normalise(name);
            lock (_lock) return _table.Remove(n);
        }

        /// <summary>Removes every entry.</summary>
        public void Clear()
        {
            lock (_lock) _table.Clear();
        }

        /// <summary>Replaces the whole table (state files).</summary>
        internal void Replace(IEnumerable<DnsRecord> records)
        {
            lock (_lock)
            {
                _table.Clear();
                foreach (var r in records)
                {
                    var n = Normalise(r.Name);
                    _table[n] = new DnsRecord { Name = n, Addresses = new List<string>(r.Addresses ?? new List<string>()), CName = string.IsNullOrEmpty(r.CName) ? null : Normalise(r.CName), Proxied = r.Proxied };
                }
            }
        }

        /// <summary>The table's entries (copies), by name.</summary>
        public IReadOnlyList<DnsRecord> GetRecords()
        {
            lock (_lock) return _table.Values.OrderBy(r => r.Name, StringComparer.Ordinal).Select(r => r.Clone()).ToList();
        }

        /// <summary>Resolves a name: the table first, then the default; CNAMEs are followed (at most 8 hops).</summary>
        public DnsAnswer Resolve(string name) => Resolve(name, _state.DefaultAddressOf);

        /// <summary>Resolve with a given default lookup (an order resolves many names against one snapshot of the domains).</summary>
        internal DnsAnswer Resolve(string name, Func<string, string?> defaultAddressOf)
        {
            var answer = new DnsAnswer { Name = Normalise(name), IsDefault = true };
            var current = answer.Name;
            for (int hop = 0; hop <= MaxCNameHops; hop++)
            {
                DnsRecord? rec;
                lock (_lock) _table.TryGetValue(current, out rec);
                if (rec != null)
                {
                    answer.IsDefault = false;
                    if (rec.CName != null)
                    {
                        answer.CNames.Add(rec.CName);
                        current = rec.CName;
                        continue;
                    }
                    answer.Addresses = new List<string>(rec.Addresses);
                    answer.Proxied = rec.Proxied;
                    answer.Status = rec.Addresses.Count > 0 ? "NoError" : "NXDomain";
                    return answer;
                }
                var ip = defaultAddressOf(current);
                answer.Status = ip == null ? "NXDomain" : "NoError";
                if (ip != null) answer.Addresses.Add(ip);
                return answer;
            }
            answer.Status = "NXDomain"; // a CNAME loop or chain too long
            return answer;
        }

        /// <summary>
        /// Whether Let's Encrypt's HTTP-01 validation of the name reaches the server at serverIp: the name resolves to it
        /// (or to a proxy that forwards to it). Null when it does; otherwise why not.
        /// </summary>
        public string? Http01Problem(string name, string serverIp) => Http01Problem(name, serverIp, _state.DefaultAddressOf);

        internal string? Http01Problem(string name, string serverIp, Func<string, string?> defaultAddressOf)
        {
            if (name.StartsWith("*.", StringComparison.Ordinal)) return "a wildcard name can only be validated with DNS-01";
            var a = Resolve(name, defaultAddressOf);
            if (!a.Resolves) return "no A/AAAA record (NXDOMAIN)";
            if (a.Proxied) return null;
            if (a.Addresses.Any(x => IPAddress.TryParse(x, out var ip) && IPAddress.TryParse(serverIp, out var s) && ip.Equals(s))) return null;
            return $"resolves to {string.Join(", ", a.Addresses)}, not to the server's {serverIp}";
        }
    }
}
