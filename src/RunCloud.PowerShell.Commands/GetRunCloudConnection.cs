using System.Collections.Generic;
using System.Management.Automation;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Gets the current default RunCloud connection (nothing when not connected), a named one (-Name), every open
    /// connection, default and named (-ListAvailable), or the connection a module object was read through (-InputObject:
    /// objects do not carry it as a property, so ConvertTo-Json and Export-Csv never serialise it). A connection object
    /// never carries a secret.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "RunCloudConnection", DefaultParameterSetName = CurrentSet, HelpUri = HelpUris.Base + "Get-RunCloudConnection.md")]
    [OutputType(typeof(RunCloudConnection))]
    public sealed class GetRunCloudConnectionCommand : RunCloudCmdlet
    {
        private const string CurrentSet = "Current";
        private const string NameSet = "Name";
        private const string ListSet = "ListAvailable";
        private const string InputObjectSet = "InputObject";

        /// <summary>Names given to Connect-RunCloud -Name (wildcards allowed).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
        [Alias("ConnectionName")]
        [ArgumentCompleter(typeof(Completion.ConnectionNameCompleter))]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Name { get; set; } = System.Array.Empty<string>();

        /// <summary>A server, web app, domain or SSL object: the connection it was read through is written.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
        [ValidateNotNull]
        public Models.IRunCloudObject? InputObject { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName != InputObjectSet) return;
            if ((InputObject as Models.IConnectionBound)?.Connection is RunCloudConnection connection)
            {
                WriteObject(connection);
                return;
            }

            WriteError(ErrorRecords.Invalid(ErrorIds.NotConnected,
                $"{InputObject} was not read through a connection (it was made by hand or deserialised), so it has none. Pass -Connection to the cmdlet you pipe it to.",
                InputObject, ErrorCategory.ObjectNotFound));
        }

        /// <summary>Every open connection: the default one first, then the named ones by name.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ListSet)]
        public SwitchParameter ListAvailable { get; set; }

        protected override void EndProcessing()
        {
            switch (ParameterSetName)
            {
                case InputObjectSet:
                    break;
                case ListSet:
                    if (RunCloudSession.Current is RunCloudConnection current) WriteObject(current);
                    foreach (RunCloudConnection c in ConnectionRegistry.All())
                    {
                        if (!ReferenceEquals(c, RunCloudSession.Current)) WriteObject(c);
                    }

                    break;
                case NameSet:
                    foreach (string pattern in Name)
                    {
                        bool found = false;
                        var wildcard = new WildcardPattern(pattern, WildcardOptions.IgnoreCase);
                        foreach (RunCloudConnection c in ConnectionRegistry.All())
                        {
                            if (c.Name != null && wildcard.IsMatch(c.Name)) { WriteObject(c); found = true; }
                        }

                        if (!found && !WildcardPattern.ContainsWildcardCharacters(pattern))
                        {
                            IReadOnlyList<string> names = ConnectionRegistry.Names();
                            WriteError(ErrorRecords.Invalid(ErrorIds.NotConnected,
                                $"No connection is named '{pattern}'. " + (names.Count > 0 ? $"Open ones: {string.Join(", ", names)}." : "Open one with Connect-RunCloud -Name " + pattern + " ..."),
                                pattern, ErrorCategory.ObjectNotFound));
                        }
                    }

                    break;
                default:
                    if (RunCloudSession.Current is RunCloudConnection c2) WriteObject(c2);
                    break;
            }
        }
    }
}
