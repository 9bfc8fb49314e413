using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace RunCloud.PowerShell.Dns
{
    /// <summary>
    /// One run's answers, asked once: a change checks its names before the first change (the preflight) and again when
    /// it orders the certificate; within one run a name that answered is not asked twice. Answers without an address
    /// (not resolved, timed out) are asked again, since a name may be pointed while the run goes on.
    /// </summary>
    internal sealed class CachingDnsResolver : IDnsResolver
    {
        private readonly IDnsResolver _inner;
        private readonly ConcurrentDictionary<string, DnsAnswer> _answers = new ConcurrentDictionary<string, DnsAnswer>(StringComparer.OrdinalIgnoreCase);

        public CachingDnsResolver(IDnsResolver inner) => _inner = inner;

        public async Task<DnsAnswer> ResolveAsync(string name, CancellationToken ct)
        {
            if (_answers.TryGetValue(name, out DnsAnswer? known)) return known;
            DnsAnswer answer = await _inner.ResolveAsync(name, ct).ConfigureAwait(false);
            if (answer.Addresses.Count > 0) _answers[name] = answer;
            return answer;
        }
    }
}
