using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.Dns
{

    /// <summary>
    /// DNS over HTTPS in the JSON form Cloudflare (https://cloudflare-dns.com/dns-query) and Google
    /// (https://dns.google/resolve) answer: GET ?name=&amp;type=A|AAAA with Accept: application/dns-json. Works where UDP
    /// port 53 is blocked, and lets tests ask the RunCloud emulator's DNS table (its /_emulator/dns-query).
    /// </summary>
    internal sealed class DohJsonResolver : IDnsResolver
    {
        private static readonly HttpClient Http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        private readonly IReadOnlyList<Uri> _endpoints;

        public DohJsonResolver(IReadOnlyList<Uri> endpoints)
        {
            if (endpoints.Count == 0) throw new ArgumentException("At least one DNS-over-HTTPS endpoint is needed.", nameof(endpoints));
            _endpoints = endpoints;
        }

        public async Task<DnsAnswer> ResolveAsync(string name, CancellationToken ct)
        {
            var answer = new DnsAnswer();
            string? error = null;
            foreach (string type in new[] { "A", "AAAA" })
            {
                string? typeError = await QueryAsync(name, type, answer, ct).ConfigureAwait(false);
                error ??= typeError;
            }

            if (answer.Addresses.Count == 0) answer.Error = error ?? "no A or AAAA record";
            return answer;
        }

        private async Task<string?> QueryAsync(string name, string type, DnsAnswer answer, CancellationToken ct)
        {
            string? lastError = null;
            foreach (Uri endpoint in _endpoints)
            {
                var uri = new Uri(endpoint.AbsoluteUri + (string.IsNullOrEmpty(endpoint.Query) ? "?" : "&")
                    + "name=" + Uri.EscapeDataString(name) + "&type=" + type);
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                request.Headers.Accept.ParseAdd("application/dns-json");
                try
                {
                    using HttpResponseMessage response = await Http.SendAsync(request, ct).ConfigureAwait(false);
                    string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode)
                    {
                        lastError = $"{endpoint.Host} answered {(int)response.StatusCode}";
                        continue;
                    }

                    JObject o = JObject.Parse(text);
                    int status = (int?)o["Status"] ?? 0;
                    if (status == 3) return "the name does not exist (NXDOMAIN)";
                    if (status != 0) return $"the DNS server answered with error code {status}";
                    foreach (JObject record in (o["Answer"] as JArray ?? new JArray()).OfType<JObject>())
                    {
                        int t = (int?)record["type"] ?? 0;
                        string data = ((string?)record["data"] ?? string.Empty).TrimEnd('.');
                        if ((t == 1 || t == 28) && IPAddress.TryParse(data, out IPAddress? address) && !answer.Addresses.Contains(address)) answer.Addresses.Add(address);
                        else if (t == 5 && data.Length > 0 && !answer.Cnames.Contains(data, StringComparer.OrdinalIgnoreCase)) answer.Cnames.Add(data);
                    }

                    return null;
                }
                catch (HttpRequestException ex)
                {
                    lastError = $"{endpoint.Host}: {ex.Message}";
                }
                catch (JsonException)
                {
                    lastError = $"{endpoint.Host} did not answer DNS JSON";
                }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested)
                {
                    lastError = $"{endpoint.Host} did not answer in time";
                }
            }

            return lastError;
        }
    }
}
