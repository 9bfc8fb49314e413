using System;
using System.Collections.Generic;
using System.Linq;

namespace RunCloud.Emulator
{
    public sealed partial class EmulatorState
    {
        /// <summary>The services a DNS integration can be for (RunCloud's 3rd-party API key reference lists the first three; v3 adds vultr).</summary>
        public static IReadOnlyList<string> ExternalApiServices { get; } = new[] { "cloudflare", "linode", "digitalocean", "vultr" };

        private List<ExternalApiRecord> _externalApis = new List<ExternalApiRecord>();
        private long _nextExternalApiId = EmulatorDefaults.ExternalApiId;

        /// <summary>Adds a DNS integration ("3rd-party API key") without the API's checks beyond the service name.</summary>
        public ExternalApiRecord AddExternalApi(string label, string service, string secret, string? username = null)
        {
            if (string.IsNullOrWhiteSpace(label)) throw new ArgumentException("A DNS integration needs a label.", nameof(label));
            if (!ExternalApiServices.Contains(service)) throw new ArgumentException("service must be one of " + string.Join(", ", ExternalApiServices) + ".", nameof(service));
            lock (SyncRoot) return AddExternalApiLocked(label, service, secret ?? "", username).Clone();
        }

        public IReadOnlyList<ExternalApiRecord> GetExternalApis()
        {
            lock (SyncRoot) return _externalApis.Select(x => x.Clone()).ToList();
        }

        public bool RemoveExternalApi(long id)
        {
            lock (SyncRoot) return _externalApis.RemoveAll(x => x.Id == id) > 0;
        }

        internal List<ExternalApiRecord> ExternalApisLocked => _externalApis;

        internal ExternalApiRecord? FindExternalApi(long id) => _externalApis.FirstOrDefault(x => x.Id == id);

        internal ExternalApiRecord AddExternalApiLocked(string label, string service, string secret, string? username)
        {
            var rec = new ExternalApiRecord { Id = _nextExternalApiId++, Label = label, Service = service, Secret = secret, Username = username, CreatedAt = Now() };
            _externalApis.Add(rec);
            return rec;
        }

        /// <summary>A service's name as RunCloud's answers show it ("Digital Ocean", "Cloudflare").</summary>
        internal static string ServiceDisplayName(string service)
        {
            switch (service)
            {
                case "cloudflare": return "Cloudflare";
                case "linode": return "Linode";
                case "digitalocean": return "Digital Ocean";
                case "vultr": return "Vultr";
                default: return service;
            }
        }
    }
}
