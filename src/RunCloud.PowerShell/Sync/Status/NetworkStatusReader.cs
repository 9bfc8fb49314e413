using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Dns;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Ssl;

namespace RunCloud.PowerShell.Sync.Status
{
    /// <summary>
    /// The reading side of a status, read-only by construction: GETs through the Api service (the listing, the SSL mode,
    /// the certificates, the server's address), DNS queries, and TLS handshakes. Never the SSL strategy (it remembers
    /// names in the journal) and never a write: a status may run beside a sync, or where only read access is allowed.
    /// The DNS lookups, the per-domain certificate reads (advanced mode) and the TLS probes run side by side, at most
    /// ThrottleLimit at once, each within its timeout; nothing here writes to the pipeline.
    /// </summary>
    internal sealed class NetworkStatusReader
    {
        private readonly RunCloudService _service;
        private readonly long _s, _w;
        private readonly StatusCheckOptions _options;
        private readonly StatusProgress _progress;
        private readonly ConcurrentDictionary<string, (bool Valid, string? Status)> _chains = new ConcurrentDictionary<string, (bool Valid, string? Status)>(StringComparer.Ordinal);
        private string? _serverAddress;
        private bool _serverRead;

        public NetworkStatusReader(RunCloudService service, long serverId, long webAppId, StatusCheckOptions options, StatusProgress progress)
        {
            _service = service;
            _s = serverId;
            _w = webAppId;
            _options = options;
            _progress = progress;
        }

        public Task<List<RunCloudDomain>> ListAsync(CancellationToken ct) => _service.ListDomainsAsync(_s, _w, ct);

        /// <summary>The SSL mode, then the app's certificate (basic) or every domain's own (advanced, one GET each).</summary>
        public async Task<TargetSslState> ReadSslAsync(IReadOnlyList<RunCloudDomain> domains, CancellationToken ct)
        {
            var (advanced, _) = await _service.GetSslModeAsync(_s, _w, ct).ConfigureAwait(false);
            var state = new TargetSslState { Advanced = advanced };
            if (!advanced)
            {
                state.AppSsl = await _service.GetSslAsync(_s, _w, ct).ConfigureAwait(false);
                return state;
            }

            var found = new ConcurrentDictionary<long, RunCloudSsl>();
            List<RunCloudDomain> valid = domains.Where(d => d.Id > 0).GroupBy(d => d.Id).Select(g => g.First()).ToList();
            _progress.Start("Reading each domain's certificate (advanced SSL)", valid.Count);
            await BoundedParallel.ForEachAsync(valid, _options.ThrottleLimit, async (d, token) =>
            {
                found[d.Id] = await _service.GetDomainSslAsync(d, token).ConfigureAwait(false);
                _progress.Step();
            }, ct).ConfigureAwait(false);
            foreach (var pair in found) state.DomainSsl[pair.Key] = pair.Value;
            return state;
        }

        /// <summary>The server's public address (GET servers/{s}), read once, when DNS or the probe needs it.</summary>
        private async Task<string?> ServerAddressAsync(CancellationToken ct)
        {
            if (_serverRead) return _serverAddress;
            _serverAddress = (await _service.GetServerAsync(_s, ct).ConfigureAwait(false)).IpAddress;
            _serverRead = true;
            return _serverAddress;
        }

        /// <summary>DNS for every name that should be served or is on the app; with -Live, a TLS probe for every name on the app.</summary>
        public async Task<StatusChecks> CheckAsync(NetworkStatusDraft draft, TargetSslState ssl, CancellationToken ct)
        {
            using (new ThreadPoolRoom(_options.ThrottleLimit))
            {
                return await CheckWithRoomAsync(draft, ssl, ct).ConfigureAwait(false);
            }
        }

        private async Task<StatusChecks> CheckWithRoomAsync(NetworkStatusDraft draft, TargetSslState ssl, CancellationToken ct)
        {
            var checks = new StatusChecks { Ssl = ssl, ExpiringDays = _options.ExpiringDays, DnsNotCheckedReason = _options.SkipDnsReason };
            List<JoinedName> dnsNames = draft.Names.Where(j => j.Desired || j.ServedBy != null).ToList();
            if (_options.SkipDnsReason == null && dnsNames.Count > 0)
            {
                string? expected = _options.IpAddress ?? await ServerAddressAsync(ct).ConfigureAwait(false);
                var readiness = new DnsReadiness(DnsReadiness.ResolverFor(_options.DnsServers, _options.Timeout), _options.Timeout);
                var answers = new ConcurrentDictionary<string, RunCloudDnsCheck>(StringComparer.Ordinal);
                _progress.Start("Checking DNS", dnsNames.Count);
                await BoundedParallel.ForEachAsync(dnsNames, _options.ThrottleLimit, async (j, token) =>
                {
                    RunCloudDnsCheck check = await readiness.CheckAsync(j.Name, expected, token).ConfigureAwait(false);
                    if (check.Status == DnsReadiness.NeedsDns01)
                    {
                        // A wildcard is never ready for HTTP-01; whether its certificate is DNS-01 is the Certificate
                        // column's verdict. Here the question is where the names under it point.
                        check.Status = check.PointsToServer ? DnsReadiness.Ok : check.Addresses.Length == 0 ? DnsReadiness.NotResolved
                            : check.CloudflareProxied ? DnsReadiness.CloudflareProxied : DnsReadiness.WrongAddress;
                    }

                    answers[j.Name] = check;
                    _progress.Step();
                }, ct).ConfigureAwait(false);
                foreach (var pair in answers) checks.Dns[pair.Key] = pair.Value;
            }

            if (_options.Live)
            {
                checks.Live = await ProbeAsync(draft.Names.Where(j => j.ServedBy != null).ToList(), ct).ConfigureAwait(false);
            }

            checks.NowUtc = _options.UtcNow();
            return checks;
        }

        private async Task<Dictionary<string, RunCloudCertificateCheck>> ProbeAsync(List<JoinedName> names, CancellationToken ct)
        {
            var result = new Dictionary<string, RunCloudCertificateCheck>(StringComparer.Ordinal);
            if (names.Count == 0) return result;
            string? address = _options.Address ?? await ServerAddressAsync(ct).ConfigureAwait(false);
            var probed = new ConcurrentDictionary<string, RunCloudCertificateCheck>(StringComparer.Ordinal);
            _progress.Start("Probing TLS", names.Count);
            await BoundedParallel.ForEachAsync(names, _options.ThrottleLimit, async (j, token) =>
            {
                probed[j.Name] = await ProbeOneAsync(j.ProbeHost, address, token).ConfigureAwait(false);
                _progress.Step();
            }, ct).ConfigureAwait(false);
            foreach (var pair in probed) result[pair.Key] = pair.Value;
            return result;
        }

        /// <summary>One TLS + SNI probe within the per-name timeout: a server that never answers is Unreachable, never a hang.</summary>
        private async Task<RunCloudCertificateCheck> ProbeOneAsync(string host, string? address, CancellationToken ct)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(_options.Timeout);
            try
            {
                return await CertificateProbe.ProbeAsync(host, address, _options.Port, _options.Timeout, _options.TrustedRoots, _options.UtcNow(), limit.Token, _chains).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return new RunCloudCertificateCheck
                {
                    Name = host,
                    Address = address,
                    Port = _options.Port,
                    Status = "Unreachable",
                    Message = $"{host}: no certificate from {address ?? host}:{_options.Port} within {_options.Timeout.TotalSeconds:0.#} s.",
                };
            }
        }
    }
}
