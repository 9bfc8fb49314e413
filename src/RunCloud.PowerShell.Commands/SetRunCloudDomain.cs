using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Changes the www, redirection and type of domains already on a web application, in place (one
    /// PATCH .../domains/{id}/meta each), by name, by id, or from domain objects piped from Get-RunCloudDomain.
    /// Settings not named keep their current values.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "RunCloudDomain", DefaultParameterSetName = InputObjectSet, SupportsShouldProcess = true,
        ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpUris.Base + "Set-RunCloudDomain.md")]
    [OutputType(typeof(RunCloudDomain))]
    public sealed class SetRunCloudDomainCommand : RunCloudDomainCmdlet
    {
        private readonly Dictionary<(long, long), List<RunCloudDomain>> _listings = new Dictionary<(long, long), List<RunCloudDomain>>();

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Domain", "DomainName", "HostName")]
        [ArgumentCompleter(typeof(DomainNameCompleter))]
        [AllowEmptyString]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>Serve www.&lt;name&gt; too (-Www), or stop serving it (-Www:$false). Not given: unchanged.</summary>
        [Parameter]
        public SwitchParameter Www { get; set; }

        /// <summary>none, www or non-www. Not given: unchanged.</summary>
        [Parameter]
        [ValidateSet("none", "www", "non-www", IgnoreCase = true)]
        public string? Redirection { get; set; }

        /// <summary>alias, primary or redirect. Making a domain primary makes the previous primary an alias. Not given: unchanged.</summary>
        [Parameter]
        [ValidateSet("alias", "primary", "redirect", IgnoreCase = true)]
        public string? Type { get; set; }

        /// <summary>Output each domain with its new settings.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        private bool WwwGiven => MyInvocation.BoundParameters.ContainsKey(nameof(Www));

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (!WwwGiven && Redirection == null && Type == null)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.NothingToSet,
                    "Nothing to change: name at least one of -Www (or -Www:$false), -Redirection or -Type.", null));
            }
        }

        /// <summary>A piped domain object is changed through its own connection (the default one is not needed, nor consulted).</summary>
        protected override void ProcessRecord()
        {
            if (ParameterSetName == InputObjectSet)
            {
                // Every object first (a mismatched -Connection stops the command before any request), then the changes.
                var bound = InputObject.Select(d => (Domain: d, Connection: ResolveConnectionFor(d, d.Name))).ToList();
                foreach (var (domain, own) in bound) Set(ServiceFor(own), domain);
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
                        RunCloudDomain? domain = DomainById(service, serverId, webAppId, id, "changed");
                        if (domain != null) Set(service, domain);
                    }

                    break;
                }

                default:
                {
                    long serverId = ResolveServerId(connection, ServerId);
                    long webAppId = ResolveWebAppId(connection, WebAppId, serverId);
                    foreach (string raw in Name)
                    {
                        if (!DomainName.TryNormalize(raw, out string name, out string problem))
                        {
                            WriteError(ErrorRecords.Invalid(ErrorIds.InvalidDomainName, problem, raw));
                            continue;
                        }

                        List<RunCloudDomain>? listing = Listing(service, serverId, webAppId);
                        if (listing == null) return;
                        RunCloudDomain? domain = listing.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));
                        if (domain == null)
                        {
                            WriteError(ErrorRecords.NotFound(ErrorIds.DomainNotFound, $"{name} is not a domain of web app {webAppId} (server {serverId}); nothing was changed. Add it with Add-RunCloudDomain, or list the app's domains with Get-RunCloudDomain.", name));
                            continue;
                        }

                        Set(service, domain);
                    }

                    break;
                }
            }
        }

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

        private void Set(RunCloudService service, RunCloudDomain domain)
        {
            string type = (Type ?? domain.Type).ToLowerInvariant();
            string redirection = (Redirection ?? domain.Redirection).ToLowerInvariant();
            bool www = WwwGiven ? Www.IsPresent : domain.Www;
            if (www && domain.Name.StartsWith("www.", StringComparison.OrdinalIgnoreCase) && WwwGiven)
            {
                WriteWarning($"{domain.Name} already starts with www., so -Www is ignored for it (no www.www. name is requested).");
                www = false;
            }

            var changes = new List<string>();
            if (WwwGiven) changes.Add($"www {(www ? "on" : "off")}");
            if (Redirection != null) changes.Add($"redirection {redirection}");
            if (Type != null) changes.Add($"type {type}");
            string target = $"{domain.Name} (id {domain.Id}) on web app {domain.WebAppId} (server {domain.ServerId})";
            if (!Ask(target, "Set domain settings: " + string.Join(", ", changes))) return;
            try
            {
                Run(ct => service.SetDomainMetaAsync(domain, type, redirection, www, ct));
                NoteChangedOutsideSync(domain.Connection, domain.ServerId, domain.WebAppId);
                WriteVerbose($"RunCloud: {domain.Name} on web app {domain.WebAppId}: {string.Join(", ", changes)}.");
                if (PassThru)
                {
                    WriteObject(new RunCloudDomain
                    {
                        Id = domain.Id,
                        ServerId = domain.ServerId,
                        WebAppId = domain.WebAppId,
                        Name = domain.Name,
                        Type = type,
                        Www = www,
                        Redirection = redirection,
                        Wildcard = domain.Wildcard,
                        DnsIntegration = domain.DnsIntegration,
                        Status = domain.Status,
                        CreatedAt = domain.CreatedAt,
                    });
                }
            }
            catch (RunCloudApiException ex)
            {
                WriteError(ErrorRecords.FromApi(ex, domain));
            }
        }
    }
}
