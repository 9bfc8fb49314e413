using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Calls any RunCloud API endpoint the module does not wrap (as Invoke-MgGraphRequest or Invoke-AzRestMethod do for
    /// their services): any method and a path relative to the connection's API root, through the same connection, retry,
    /// rate limiter and redaction as every cmdlet. A hashtable or JSON string body; -Query values; -All reads every page
    /// of a listing through the module's page iterator. POST, PUT, PATCH and DELETE support -WhatIf and -Confirm and are
    /// never repeated after an ambiguous failure. Answers are written as PSObjects.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "RunCloudRequest", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpUris.Base + "Invoke-RunCloudRequest.md")]
    [OutputType(typeof(PSObject))]
    public sealed class InvokeRunCloudRequestCommand : RunCloudApiCmdlet
    {
        /// <summary>The path, relative to the API root (servers, servers/{serverId}/webapps); {serverId} and {webAppId} are filled in.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Uri", "RelativePath")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        [Parameter(Position = 1)]
        [ValidateSet("GET", "POST", "PUT", "PATCH", "DELETE", IgnoreCase = true)]
        public string Method { get; set; } = "GET";

        /// <summary>A hashtable, PSCustomObject or array (sent as JSON), or a JSON string.</summary>
        [Parameter]
        [AllowNull]
        public object? Body { get; set; }

        /// <summary>Query string values, e.g. @{ search = 'shop' }.</summary>
        [Parameter]
        [ValidateNotNull]
        public Hashtable? Query { get; set; }

        /// <summary>GET only: read every page of a listing and write each item of its data list.</summary>
        [Parameter]
        public SwitchParameter All { get; set; }

        /// <summary>Fills {serverId} in -Path (default: the connection's server id).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(ServerIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? ServerId { get; set; }

        /// <summary>Fills {webAppId} in -Path (default: the connection's web app id).</summary>
        [Parameter]
        [Alias("AppId")]
        [ArgumentCompleter(typeof(WebAppIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? WebAppId { get; set; }

        private protected override void ProcessRecordWithConnection(RunCloudConnection connection, RunCloudService service)
        {
            string method = Method.ToUpperInvariant();
            if (All && method != "GET") ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, "-All reads the pages of a listing: it goes with GET only.", Method));
            if (Body != null && method == "GET") ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, "-Body goes with POST, PUT, PATCH or DELETE; a GET sends none (use -Query).", Body));

            string path = Fill(connection);
            try
            {
                path = RequestPath.Normalize(path);
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(ErrorRecords.Create(ex, ErrorIds.InvalidRequestPath, ErrorCategory.InvalidArgument, Path, "-Path: " + ex.Message + " Nothing was sent."));
                return;
            }

            Dictionary<string, string>? query = null;
            if (Query != null && Query.Count > 0)
            {
                query = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (DictionaryEntry entry in Query)
                {
                    object? value = entry.Value is PSObject p ? p.BaseObject : entry.Value;
                    query[entry.Key?.ToString() ?? string.Empty] = Convert.ToString(value is bool b ? (b ? "1" : "0") : value, CultureInfo.InvariantCulture) ?? string.Empty;
                }
            }

            string? body = null;
            if (Body != null)
            {
                try
                {
                    body = JsonObjects.Body(Body);
                }
                catch (ArgumentException ex)
                {
                    ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, ex.Message, Body));
                    return;
                }
            }

            string target = $"{method} {connection.BaseUri}{path}";
            if (method != "GET" && !Ask(target, $"Send {method} to RunCloud" + (body != null ? $" with a {body.Length}-byte JSON body" : string.Empty))) return;

            string[] secrets = connection.SecretsForRedaction();
            Func<string, string> mask = text => Redactor.Clean(text, secrets);
            try
            {
                if (All)
                {
                    PageIterator pages = service.RawPages(path, query);
                    IReadOnlyList<object?>? items;
                    while ((items = Run(ct => JsonObjects.NextPageAsync(pages, mask, ct))) != null)
                    {
                        foreach (object? item in items) WriteObject(item);
                    }

                    return;
                }

                object? answer;
                try
                {
                    answer = Run(ct => JsonObjects.InvokeAsync(service, method, path, query, body, mask, ct));
                }
                finally
                {
                    // A write to a web app (even one that failed ambiguously) may have changed it behind the sync's record.
                    if (method != "GET" && method != "HEAD" && RunCloudService.AppOf(path) is (long s, long w)) NoteChangedOutsideSync(connection, s, w);
                }

                WriteObject(answer, enumerateCollection: true);
            }
            catch (RunCloudApiException ex)
            {
                WriteError(ErrorRecords.FromApi(ex, target));
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(ErrorRecords.Create(ex, ErrorIds.InvalidRequestPath, ErrorCategory.InvalidArgument, Path, "-Path: " + ex.Message));
            }
        }

        /// <summary>{serverId} and {webAppId} (any case) from -ServerId/-WebAppId or the connection's defaults; a placeholder with neither stops the command.</summary>
        private string Fill(RunCloudConnection connection)
        {
            string path = Path;
            foreach (var (name, value, parameter) in new[] { ("{serverId}", ServerId ?? connection.ServerId, "-ServerId"), ("{webAppId}", WebAppId ?? connection.WebAppId, "-WebAppId") })
            {
                if (path.IndexOf(name, StringComparison.OrdinalIgnoreCase) < 0) continue;
                if (!value.HasValue)
                {
                    ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, $"-Path has {name}, and no {parameter} was given and the connection has no default. Pass {parameter}.", Path));
                }

                path = System.Text.RegularExpressions.Regex.Replace(path, System.Text.RegularExpressions.Regex.Escape(name), value!.Value.ToString(CultureInfo.InvariantCulture),
                    System.Text.RegularExpressions.RegexOptions.IgnoreCase);
            }

            return path;
        }
    }
}
