using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Serialization;

namespace RunCloud.Emulator
{
    /// <summary>
    /// The emulator's model of a RunCloud account: servers, web apps, domains and SSL. Thread-safe (one lock).
    /// Every object it returns is a copy. Ids are allocated incrementally per kind (servers from 1001, web apps
    /// from 2001, domains from 3001, certificates from 4001).
    /// </summary>
    public sealed partial class EmulatorState
    {
        internal readonly object SyncRoot = new object();
        private List<ServerRecord> _servers = new List<ServerRecord>();
        private long _nextServerId = 1001, _nextWebAppId = 2001, _nextDomainId = 3001, _nextSslId = 4001;

        /// <summary>
        /// The TLS protocol choices of GET static/ssl/protocols, as public clients use them: the id is the lowest version
        /// served (the Ansible collection for RunCloud maps TLSv1.1 to 1, TLSv1.2 to 2, TLSv1.3 to 3; a public RunCloud
        /// dashboard client labels them "TLSv1.1 TLSv1.2 TLSv1.3", "TLSv1.2 TLSv1.3", "TLSv1.3"). See the README's rule table.
        /// </summary>
        public static IReadOnlyList<SslProtocol> SslProtocols { get; } = new[]
        {
            new SslProtocol { Id = 1, Name = "TLSv1.1 TLSv1.2 TLSv1.3" },
            new SslProtocol { Id = 2, Name = "TLSv1.2 TLSv1.3" },
            new SslProtocol { Id = 3, Name = "TLSv1.3" },
        };

        /// <summary>The emulated time: certificates' dates and the Let's Encrypt windows follow it.</summary>
        public EmulatorClock Clock { get; set; } = new EmulatorClock();

        /// <summary>Now, to the second (as RunCloud's timestamps).</summary>
        internal DateTime Now()
        {
            var n = Clock.UtcNow;
            return new DateTime(n.Year, n.Month, n.Day, n.Hour, n.Minute, n.Second, DateTimeKind.Utc);
        }

        // ---------- seeding ----------

        /// <summary>Seeds the documented default data (see EmulatorDefaults).</summary>
        public void SeedDefaults()
        {
            lock (SyncRoot)
            {
                _servers.Clear();
                _nextServerId = EmulatorDefaults.ServerId; _nextWebAppId = EmulatorDefaults.WebAppId;
                _nextDomainId = EmulatorDefaults.PrimaryDomainId; _nextSslId = EmulatorDefaults.SslId;
            }
            AddServer(EmulatorDefaults.ServerName, EmulatorDefaults.ServerIpAddress);
            AddServer(EmulatorDefaults.SecondServerName, EmulatorDefaults.SecondServerIpAddress);
            AddWebApp(EmulatorDefaults.ServerId, EmulatorDefaults.WebAppName);
            AddWebApp(EmulatorDefaults.ServerId, EmulatorDefaults.NoSslWebAppName);
            AddDomain(EmulatorDefaults.ServerId, EmulatorDefaults.WebAppId, EmulatorDefaults.PrimaryDomainName, false, "none", "primary");
            AddDomain(EmulatorDefaults.ServerId, EmulatorDefaults.WebAppId, EmulatorDefaults.TestDomainName);
            AddDomain(EmulatorDefaults.ServerId, EmulatorDefaults.NoSslWebAppId, EmulatorDefaults.BlogDomainName, false, "none", "primary");
            InstallSsl(EmulatorDefaults.ServerId, EmulatorDefaults.WebAppId);
            lock (SyncRoot) { _externalApis.Clear(); _nextExternalApiId = EmulatorDefaults.ExternalApiId; }
            AddExternalApi(EmulatorDefaults.ExternalApiLabel, "cloudflare", EmulatorDefaults.ExternalApiSecret, EmulatorDefaults.ExternalApiUsername);
        }

        /// <summary>Removes everything (ids restart).</summary>
        public void Clear()
        {
            lock (SyncRoot)
            {
                _servers = new List<ServerRecord>();
                _nextServerId = 1001; _nextWebAppId = 2001; _nextDomainId = 3001; _nextSslId = 4001;
                _issuances.Clear();
                _externalApis.Clear(); _nextExternalApiId = EmulatorDefaults.ExternalApiId;
            }
            Dns.Clear();
        }

        public ServerRecord AddServer(string name, string ipAddress, string provider = "Emulator")
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A server needs a name.", nameof(name));
            lock (SyncRoot)
            {
                var s = new ServerRecord { Id = _nextServerId++, Name = name, IpAddress = ipAddress ?? "", Provider = provider, CreatedAt = Now() };
                _servers.Add(s);
                return s.CloneShallow();
            }
        }

        public WebAppRecord AddWebApp(long serverId, string name, string phpVersion = "php83rc", string stack = "hybrid")
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A web app needs a name.", nameof(name));
            lock (SyncRoot)
            {
                var s = RequireServer(serverId);
                var w = new WebAppRecord
                {
                    Id = _nextWebAppId++, ServerId = serverId, Name = name, PhpVersion = phpVersion, Stack = stack,
                    RootPath = "/home/runcloud/webapps/" + name, PublicPath = "/home/runcloud/webapps/" + name,
                    PullKey1 = RandomHex(20), PullKey2 = RandomHex(20), CreatedAt = Now(),
                    DefaultApp = s.WebApps.Count == 0,
                };
                s.WebApps.Add(w);
                return w.Clone(false);
            }
        }

        /// <summary>Adds a domain as the API would (name checked, duplicates on the server refused). Throws ArgumentException or InvalidOperationException.</summary>
        public DomainRecord AddDomain(long serverId, long webAppId, string name, bool www = false, string redirection = "none", string type = "alias")
        {
            if (!DomainNameRules.IsValid(name, out var wildcard)) throw new ArgumentException($"'{name}' is not a valid domain name.", nameof(name));
            if (!IsOneOf(redirection, "none", "www", "non-www")) throw new ArgumentException("redirection must be none, www or non-www.", nameof(redirection));
            if (!IsOneOf(type, "alias", "primary", "redirect")) throw new ArgumentException("type must be alias, primary or redirect.", nameof(type));
            lock (SyncRoot)
            {
                var s = RequireServer(serverId);
                var w = RequireWebApp(serverId, webAppId);
                if (FindDomainOnServer(s, name) != null) throw new InvalidOperationException("The name has already been taken.");
                return AddDomainLocked(w, name, www, redirection, type, wildcard).Clone();
            }
        }

        /// <summary>Fast bulk seeding (no format check beyond skipping duplicates); returns how many were added.</summary>
        public int AddDomains(long serverId, long webAppId, IEnumerable<string> names)
        {
            if (names == null) throw new ArgumentNullException(nameof(names));
            lock (SyncRoot)
            {
                var s = RequireServer(serverId);
                var w = RequireWebApp(serverId, webAppId);
                var existing = new HashSet<string>(s.WebApps.SelectMany(a => a.Domains).Select(d => d.Name), StringComparer.OrdinalIgnoreCase);
                int added = 0;
                var now = Now();
                foreach (var raw in names)
                {
                    var n = (raw ?? "").Trim().ToLowerInvariant();
                    if (n.Length == 0 || !existing.Add(n)) continue;
                    w.Domains.Add(new DomainRecord
                    {
                        Id = _nextDomainId++, WebAppId = w.Id, Name = n, Wildcard = n.StartsWith("*.", StringComparison.Ordinal),
                        Type = w.Domains.Count == 0 ? "primary" : "alias", CreatedAt = now,
                    });
                    added++;
                }
                return added;
            }
        }

        /// <summary>
        /// Removes a domain by name, as a change made in RunCloud's dashboard would (no API call, nothing logged): what a
        /// test uses to change the app behind a client's back. False when the app has no such domain; the primary is refused
        /// as the API refuses it.
        /// </summary>
        public bool RemoveDomain(long serverId, long webAppId, string name)
        {
            lock (SyncRoot)
            {
                var w = RequireWebApp(serverId, webAppId);
                var d = w.Domains.FirstOrDefault(x => string.Equals(x.Name, (name ?? "").Trim().TrimEnd('.'), StringComparison.OrdinalIgnoreCase));
                if (d == null) return false;
                if (d.Type == "primary") throw new InvalidOperationException("The primary domain cannot be deleted. Make another domain primary first.");
                w.Domains.Remove(d);
                return true;
            }
        }

        internal DomainRecord AddDomainLocked(WebAppRecord w, string name, bool www, string redirection, string type, bool wildcard)
        {
            if (type == "primary")
                foreach (var d in w.Domains.Where(d => d.Type == "primary")) d.Type = "alias";
            var rec = new DomainRecord
            {
                Id = _nextDomainId++, WebAppId = w.Id, Name = name.ToLowerInvariant(), Www = www, Redirection = redirection,
                Type = type, Wildcard = wildcard, CreatedAt = Now(),
            };
            w.Domains.Add(rec);
            return rec;
        }

        // ---------- reads ----------

        public IReadOnlyList<ServerRecord> GetServers()
        {
            lock (SyncRoot) return _servers.Select(s => s.CloneShallow()).ToList();
        }

        public ServerRecord? GetServer(long serverId)
        {
            lock (SyncRoot) return FindServer(serverId)?.CloneShallow();
        }

        public IReadOnlyList<WebAppRecord> GetWebApps(long serverId)
        {
            lock (SyncRoot) return RequireServer(serverId).WebApps.Select(w => w.Clone(false)).ToList();
        }

        public WebAppRecord? GetWebApp(long serverId, long webAppId)
        {
            lock (SyncRoot) return FindWebApp(serverId, webAppId)?.Clone(false);
        }

        public IReadOnlyList<DomainRecord> GetDomains(long serverId, long webAppId)
        {
            lock (SyncRoot) return RequireWebApp(serverId, webAppId).Domains.Select(d => d.Clone()).ToList();
        }

        public DomainRecord? GetDomain(long serverId, long webAppId, long domainId)
        {
            lock (SyncRoot) return FindWebApp(serverId, webAppId)?.Domains.FirstOrDefault(d => d.Id == domainId)?.Clone();
        }

        /// <summary>The app's basic-mode certificate (with CoveredDomains), or null.</summary>
        public SslRecord? GetSsl(long serverId, long webAppId)
        {
            lock (SyncRoot) return RequireWebApp(serverId, webAppId).Ssl?.Clone();
        }

        /// <summary>Host names (domains, plus www. variants when www=1) that no certificate covers: all of them when no SSL.</summary>
        public IReadOnlyList<string> GetUncoveredDomains(long serverId, long webAppId)
        {
            lock (SyncRoot)
            {
                var w = RequireWebApp(serverId, webAppId);
                var result = new List<string>();
                foreach (var d in w.Domains)
                {
                    var cert = w.AdvancedSsl ? d.Ssl : w.Ssl;
                    foreach (var h in d.HostNames())
                        if (cert == null || !cert.CoveredDomains.Contains(h, StringComparer.OrdinalIgnoreCase)) result.Add(h);
                }
                return result;
            }
        }

        // ---------- SSL ----------

        /// <summary>Installs a basic-mode certificate covering the current domains. Throws InvalidOperationException when one exists or the app is in advanced mode.</summary>
        public SslRecord InstallSsl(long serverId, long webAppId, string provider = "letsencrypt", bool enableHttp = false, bool enableHsts = false)
        {
            lock (SyncRoot)
            {
                var w = RequireWebApp(serverId, webAppId);
                if (w.AdvancedSsl) throw new InvalidOperationException("This web application is using advanced SSL: install SSL on each domain instead.");
                if (w.Ssl != null) throw new InvalidOperationException("SSL is already installed on this web application.");
                w.Ssl = NewSslLocked(provider, enableHttp, enableHsts, "http-01", false, null, null, null);
                w.Ssl.CoveredDomains = w.Domains.SelectMany(d => d.HostNames()).ToList();
                return w.Ssl.Clone();
            }
        }

        /// <summary>Re-issues the basic certificate for the current domain list.</summary>
        public SslRecord RedeploySsl(long serverId, long webAppId)
        {
            lock (SyncRoot)
            {
                var w = RequireWebApp(serverId, webAppId);
                if (w.Ssl == null) throw new InvalidOperationException("SSL not installed!");
                RedeployLocked(w.Ssl, w.Domains.SelectMany(d => d.HostNames()));
                return w.Ssl.Clone();
            }
        }

        public bool UninstallSsl(long serverId, long webAppId)
        {
            lock (SyncRoot)
            {
                var w = RequireWebApp(serverId, webAppId);
                var had = w.Ssl != null;
                w.Ssl = null;
                return had;
            }
        }

        /// <summary>Switches basic/advanced SSL mode without the API's checks.</summary>
        public void SetSslMode(long serverId, long webAppId, bool advanced, bool autoSsl = false)
        {
            lock (SyncRoot)
            {
                var w = RequireWebApp(serverId, webAppId);
                w.AdvancedSsl = advanced;
                w.AutoSsl = autoSsl;
            }
        }

        internal SslRecord NewSslLocked(string provider, bool enableHttp, bool enableHsts, string authorizationMethod, bool staging, long? apiId, string? privateKey, string? certificate)
        {
            var now = Now();
            var id = _nextSslId++;
            return new SslRecord
            {
                Id = id, Method = provider, EnableHttp = enableHttp, EnableHsts = enableHsts, AuthorizationMethod = authorizationMethod,
                Staging = staging, ApiId = apiId, CreatedAt = now, IssuedAt = now, ValidUntil = now.AddDays(90), RenewalDate = now.AddDays(60),
                PrivateKey = privateKey ?? FakePem("PRIVATE KEY", "emulator-private-key-" + id),
                Certificate = certificate ?? FakePem("CERTIFICATE", "emulator-certificate-" + id),
            };
        }

        internal void RedeployLocked(SslRecord ssl, IEnumerable<string> hosts)
        {
            var now = Now();
            ssl.CoveredDomains = hosts.ToList();
            ssl.IssuedAt = now;
            ssl.ValidUntil = now.AddDays(90);
            ssl.RenewalDate = now.AddDays(60);
            ssl.RedeployCount++;
        }

        // ---------- lookups for the HTTP layer (call under SyncRoot) ----------

        internal List<ServerRecord> ServersLocked => _servers;
        internal ServerRecord? FindServer(long id) => _servers.FirstOrDefault(s => s.Id == id);
        internal WebAppRecord? FindWebApp(long serverId, long webAppId) => FindServer(serverId)?.WebApps.FirstOrDefault(w => w.Id == webAppId);
        internal static DomainRecord? FindDomainOnServer(ServerRecord s, string name) =>
            s.WebApps.SelectMany(a => a.Domains).FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));

        private ServerRecord RequireServer(long id) => FindServer(id) ?? throw new KeyNotFoundException($"Server {id} not found.");
        private WebAppRecord RequireWebApp(long serverId, long webAppId)
        {
            RequireServer(serverId);
            return FindWebApp(serverId, webAppId) ?? throw new KeyNotFoundException($"Web application {webAppId} not found on server {serverId}.");
        }

        // ---------- persistence ----------

        private sealed class StateDocument
        {
            public int Version { get; set; } = 1;
            public long NextServerId { get; set; }
            public long NextWebAppId { get; set; }
            public long NextDomainId { get; set; }
            public long NextSslId { get; set; }
            public List<ServerRecord> Servers { get; set; } = new List<ServerRecord>();
            /// <summary>The DNS table's entries (the default needs none).</summary>
            public List<DnsRecord> Dns { get; set; } = new List<DnsRecord>();
            /// <summary>The Let's Encrypt issuances (for the duplicate-certificate limit across restarts).</summary>
            public List<IssuanceRecord> Issuances { get; set; } = new List<IssuanceRecord>();
            public long NextExternalApiId { get; set; }
            /// <summary>The DNS integrations ("3rd-party API keys"); optional.</summary>
            public List<ExternalApiRecord> ExternalApis { get; set; } = new List<ExternalApiRecord>();
        }

        private static JsonSerializerSettings JsonSettings() => new JsonSerializerSettings
        {
            ContractResolver = new StateContractResolver(),
            Formatting = Formatting.Indented,
            DateTimeZoneHandling = DateTimeZoneHandling.Utc,
            NullValueHandling = NullValueHandling.Include,
            ObjectCreationHandling = ObjectCreationHandling.Replace,
        };

        private sealed class StateContractResolver : CamelCasePropertyNamesContractResolver
        {
            protected override IList<JsonProperty> CreateProperties(Type type, MemberSerialization memberSerialization) =>
                base.CreateProperties(type, memberSerialization).Where(p => p.Writable).ToList();
        }

        /// <summary>The whole state as JSON (the StatePath format; see example-state.json).</summary>
        public string ToJson()
        {
            lock (SyncRoot)
            {
                var doc = new StateDocument
                {
                    NextServerId = _nextServerId, NextWebAppId = _nextWebAppId, NextDomainId = _nextDomainId, NextSslId = _nextSslId,
                    Servers = _servers,
                    Dns = Dns.GetRecords().ToList(),
                    Issuances = _issuances,
                    NextExternalApiId = _nextExternalApiId,
                    ExternalApis = _externalApis,
                };
                return JsonConvert.SerializeObject(doc, JsonSettings());
            }
        }

        /// <summary>Replaces the state with the JSON's. Missing next*Id values are derived from the largest ids present.</summary>
        public void LoadJson(string json)
        {
            var doc = JsonConvert.DeserializeObject<StateDocument>(json, JsonSettings()) ?? throw new InvalidDataException("The state JSON is empty.");
            foreach (var s in doc.Servers)
                foreach (var w in s.WebApps)
                {
                    w.ServerId = s.Id;
                    foreach (var d in w.Domains) { d.WebAppId = w.Id; d.Name = d.Name.ToLowerInvariant(); }
                }
            var apps = doc.Servers.SelectMany(s => s.WebApps).ToList();
            var domains = apps.SelectMany(w => w.Domains).ToList();
            var ssls = apps.Select(w => w.Ssl).Concat(domains.Select(d => d.Ssl)).Where(x => x != null).Select(x => x!).ToList();
            lock (SyncRoot)
            {
                _servers = doc.Servers;
                _nextServerId = Math.Max(doc.NextServerId, doc.Servers.Select(s => s.Id + 1).DefaultIfEmpty(1001).Max());
                _nextWebAppId = Math.Max(doc.NextWebAppId, apps.Select(w => w.Id + 1).DefaultIfEmpty(2001).Max());
                _nextDomainId = Math.Max(doc.NextDomainId, domains.Select(d => d.Id + 1).DefaultIfEmpty(3001).Max());
                _nextSslId = Math.Max(doc.NextSslId, ssls.Select(x => x.Id + 1).DefaultIfEmpty(4001).Max());
                _issuances.Clear();
                _issuances.AddRange(doc.Issuances ?? new List<IssuanceRecord>());
                _externalApis = doc.ExternalApis ?? new List<ExternalApiRecord>();
                _nextExternalApiId = Math.Max(doc.NextExternalApiId, _externalApis.Select(x => x.Id + 1).DefaultIfEmpty(EmulatorDefaults.ExternalApiId).Max());
            }
            Dns.Replace(doc.Dns ?? new List<DnsRecord>());
        }

        public void Save(string path)
        {
            if (string.IsNullOrEmpty(path)) throw new ArgumentException("A path is needed.", nameof(path));
            var full = Path.GetFullPath(path);
            var dir = Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            File.WriteAllText(full, ToJson(), new UTF8Encoding(false));
        }

        // ---------- helpers ----------

        internal static bool IsOneOf(string? value, params string[] allowed) => value != null && allowed.Contains(value);

        private static string RandomHex(int bytes)
        {
            var b = new byte[bytes];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(b);
            return string.Concat(b.Select(x => x.ToString("x2")));
        }

        private static string FakePem(string label, string seed) =>
            "-----BEGIN " + label + "-----\n" + Convert.ToBase64String(Encoding.ASCII.GetBytes("RUNCLOUD-EMULATOR-FAKE " + seed)) + "\n-----END " + label + "-----\n";
    }
}
