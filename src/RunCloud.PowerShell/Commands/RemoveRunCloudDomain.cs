using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.Sync;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Removes domain names from a web application, by name (found across every page of the app's domains), by id,
    /// or from domain objects piped from Get-RunCloudDomain. A name that is not there is an error and sends no DELETE.
    /// A piped domain object binds as an object: removed by its id through its own connection, with no re-listing.
    /// The app's primary domain is refused unless -IncludePrimary; -Force only skips the confirmation.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "RunCloudDomain", DefaultParameterSetName = InputObjectSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpUris.Base + "Remove-RunCloudDomain.md")]
    [OutputType(typeof(void))]
    public sealed class RemoveRunCloudDomainCommand : RunCloudApiCmdlet
    {
        private const string NameSet = "Name";
        private const string IdSet = "Id";
        private const string InputObjectSet = "InputObject";
        private readonly Dictionary<(long, long), List<RunCloudDomain>> _listings = new Dictionary<(long, long), List<RunCloudDomain>>();

        /// <summary>Names to remove; wildcards select every matching domain (each asked for, and each its own -WhatIf line).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Domain", "DomainName", "HostName")]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(DomainNameCompleter))]
        [AllowEmptyString]
        public string[] Name { get; set; } = Array.Empty<string>();

        [Parameter(Mandatory = true, ParameterSetName = IdSet)]
        [ValidateRange(1, long.MaxValue)]
        public long[] Id { get; set; } = Array.Empty<long>();

        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public RunCloudDomain[] InputObject { get; set; } = Array.Empty<RunCloudDomain>();

        [Parameter(ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ServerIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? ServerId { get; set; }

        [Parameter(ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
        [Alias("AppId")]
        [ArgumentCompleter(typeof(WebAppIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? WebAppId { get; set; }

        /// <summary>Removes without asking. Lifts no safety rule (see -IncludePrimary).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Allows removing the web app's primary domain (refused otherwise, with or without -Force).</summary>
        [Parameter]
        public SwitchParameter IncludePrimary { get; set; }

        /// <summary>After all names are processed, redeploy the web app's SSL certificate once if anything was removed.</summary>
        [Parameter]
        public SwitchParameter ResetSsl { get; set; }

        private const string Command = "Remove-RunCloudDomain";

        /// <summary>Request certificates without checking that the names point at the server (split-horizon DNS, proxies). Also RUNCLOUD_SKIP_DNS_CHECK=1.</summary>
        [Parameter]
        public SwitchParameter SkipDnsCheck { get; set; }

        /// <summary>DNS servers (address or address:port) to ask whether the names point at the server, instead of the system's resolver.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? DnsServer { get; set; }

        /// <summary>Order a certificate even past Let's Encrypt's 5 duplicates (same names) in 7 days.</summary>
        [Parameter]
        public SwitchParameter AllowDuplicateCertificate { get; set; }

        private readonly ChangedApps _changed = new ChangedApps();
        private readonly Dictionary<(long, long), bool> _sslModes = new Dictionary<(long, long), bool>();

        /// <summary>A piped domain object is removed through its own connection (the default one is not needed, nor consulted).</summary>
        protected override void ProcessRecord()
        {
            if (ParameterSetName == InputObjectSet)
            {
                // Every object first (a mismatched -Connection stops the command before any request), then the removals.
                var bound = InputObject.Select(d => (Domain: d, Connection: ResolveConnectionFor(d, d.Name))).ToList();
                foreach (var (domain, own) in bound)
                {
                    if (domain.Id <= 0 || domain.ServerId <= 0 || domain.WebAppId <= 0)
                    {
                        WriteError(Invalid(ErrorIds.InvalidInput, $"The domain object '{domain.Name}' has no id, server id or web app id; nothing was removed. Pipe objects from Get-RunCloudDomain, or pass -Name.", domain));
                        continue;
                    }

                    Remove(own, ServiceFor(own), domain);
                }

                return;
            }

            base.ProcessRecord();
        }

        private protected override void ProcessRecordWithConnection(RunCloudConnection connection, RunCloudService service)
        {
            switch (ParameterSetName)
            {
                case IdSet:
                {
                    long serverId = ResolveServerId(connection, ServerId);
                    long webAppId = ResolveWebAppId(connection, WebAppId, serverId);
                    foreach (long id in Id)
                    {
                        RunCloudDomain domain;
                        try
                        {
                            domain = Run(ct => service.GetDomainAsync(serverId, webAppId, id, ct));
                        }
                        catch (RunCloudApiException ex) when (ex.StatusCode == 404)
                        {
                            WriteError(NotFound($"No domain with id {id} on web app {webAppId} (server {serverId}); nothing was removed.", id));
                            continue;
                        }
                        catch (RunCloudApiException ex)
                        {
                            WriteApiError(ex, id);
                            continue;
                        }

                        Remove(connection, service, domain);
                    }

                    break;
                }

                default:
                {
                    long serverId = ResolveServerId(connection, ServerId);
                    long webAppId = ResolveWebAppId(connection, WebAppId, serverId);
                    foreach (string raw in Name)
                    {
                        if (raw != null && WildcardPattern.ContainsWildcardCharacters(raw))
                        {
                            List<RunCloudDomain>? all = Listing(service, serverId, webAppId);
                            if (all == null) return;
                            foreach (RunCloudDomain match in Matching(all, raw)) Remove(connection, service, match);
                            continue;
                        }

                        if (!DomainName.TryNormalize(raw, out string name, out string problem))
                        {
                            WriteError(Invalid(ErrorIds.InvalidDomainName, problem, raw));
                            continue;
                        }

                        List<RunCloudDomain>? listing = Listing(service, serverId, webAppId);
                        if (listing == null) return;
                        RunCloudDomain? domain = listing.FirstOrDefault(d => d.Problem == null && string.Equals(RunCloud.PowerShell.Sync.SyncPlanner.Normalized(d), name, StringComparison.Ordinal));
                        if (domain == null)
                        {
                            WriteError(NotFound($"{name} is not a domain of web app {webAppId} (server {serverId}); nothing was removed. Get-RunCloudDomain lists the app's domains.", name));
                            continue;
                        }

                        Remove(connection, service, domain);
                    }

                    break;
                }
            }
        }

        /// <summary>
        /// The domains a wildcard selects, as Remove-Item does: a domain whose name IS the pattern (RunCloud's wildcard
        /// domains are named like *.example.com) is taken literally, alone; otherwise every match (none is silence).
        /// </summary>
        private static List<RunCloudDomain> Matching(List<RunCloudDomain> all, string pattern)
        {
            string literal = pattern.Trim().TrimEnd('.');
            List<RunCloudDomain> exact = all.Where(d => string.Equals(d.Name, literal, StringComparison.OrdinalIgnoreCase)).ToList();
            if (exact.Count > 0) return exact;
            var wildcard = new WildcardPattern(literal, WildcardOptions.IgnoreCase);
            return all.Where(d => wildcard.IsMatch(d.Name)).ToList(); // a copy: removals change the listing
        }

        /// <summary>One complete listing per web app, read on first need and kept current as domains are removed.</summary>
        private List<RunCloudDomain>? Listing(RunCloudService service, long serverId, long webAppId)
        {
            if (_listings.TryGetValue((serverId, webAppId), out List<RunCloudDomain>? cached)) return cached;
            try
            {
                List<RunCloudDomain> all = Run(ct => service.ListDomainsAsync(serverId, webAppId, ct));
                _listings[(serverId, webAppId)] = all;
                return all;
            }
            catch (RunCloudApiException ex)
            {
                ThrowApiError(ex, webAppId);
                return null;
            }
        }

        private void Remove(RunCloudConnection connection, RunCloudService service, RunCloudDomain domain)
        {
            if (domain.IsPrimary && !IncludePrimary)
            {
                if (IsWhatIf())
                {
                    // A plan, not a failure: -WhatIf shows the refusal as one of its lines.
                    string line = $"Not removing {domain.Name} (id {domain.Id}) from web app {domain.WebAppId} (server {domain.ServerId}): it is the primary domain. Make another domain primary first, or pass -IncludePrimary.";
                    ShouldProcess(line, line, "Remove domain");
                    return;
                }

                WriteError(new ErrorRecord(
                    new InvalidOperationException($"{domain.Name} is the primary domain of web app {domain.WebAppId}; it was not removed. Make another domain primary first, or pass -IncludePrimary (-Force only skips the prompt)."),
                    ErrorIds.PrimaryDomainProtected, ErrorCategory.PermissionDenied, domain));
                return;
            }

            if (!ShouldProcessOrForce(Force, $"{domain.Name} (id {domain.Id}) on web app {domain.WebAppId} (server {domain.ServerId})", "Remove domain"))
            {
                // Under -WhatIf the plan goes on as if confirmed, so -ResetSsl shows its SSL step too.
                if (IsWhatIf()) _changed.Record(connection, domain.ServerId, domain.WebAppId, null);
                return;
            }

            if (ResetSsl)
            {
                _changed.Touch(connection, domain.ServerId, domain.WebAppId);
                EnterApp(Command, connection, domain.ServerId, domain.WebAppId, _changed);
                OweSsl(Command, connection, domain.ServerId, domain.WebAppId, $"{Command} removes {domain.Name}");
            }

            try
            {
                // Advanced SSL: the domain's own certificate goes first (DELETE .../domains/{d}/ssl/{ssl}), so none is orphaned.
                if (Run(ct => SslStrategy.ReleaseDomainCertificateAsync(service, domain, _sslModes, ct)))
                {
                    WriteVerbose($"RunCloud: removed the certificate of {domain.Name} (advanced SSL).");
                }

                bool removed = Run(ct => service.RemoveDomainAsync(domain.ServerId, domain.WebAppId, domain.Id, ct, domain.Name));
                if (removed)
                {
                    _changed.Record(connection, domain.ServerId, domain.WebAppId, null);
                    WriteVerbose($"RunCloud: removed {domain.Name} from web app {domain.WebAppId}.");
                }
                else
                {
                    WriteWarning($"{domain.Name} was already gone from web app {domain.WebAppId}.");
                }

                if (_listings.TryGetValue((domain.ServerId, domain.WebAppId), out List<RunCloudDomain>? listing))
                {
                    listing.RemoveAll(d => d.Id == domain.Id);
                }
            }
            catch (RunCloudApiException ex)
            {
                WriteApiError(ex, domain);
            }
        }

        protected override void EndProcessing()
        {
            if (ResetSsl) RedeployChangedApps(Command, _changed, Force, BuildSslOptions(SkipDnsCheck, DnsServer, AllowDuplicateCertificate));
        }

        private static ErrorRecord NotFound(string message, object target) =>
            new ErrorRecord(new ItemNotFoundException(message), ErrorIds.DomainNotFound, ErrorCategory.ObjectNotFound, target);
    }
}
