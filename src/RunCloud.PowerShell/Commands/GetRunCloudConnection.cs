using System.Collections.Generic;
using System.Management.Automation;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Gets the current default RunCloud connection (nothing when not connected), a named one (-Name), or every open
    /// connection, default and named (-ListAvailable). A connection object never carries a secret.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "RunCloudConnection", DefaultParameterSetName = CurrentSet, HelpUri = HelpUris.Base + "Get-RunCloudConnection.md")]
    [OutputType(typeof(RunCloudConnection))]
    public sealed class GetRunCloudConnectionCommand : RunCloudCmdlet
    {
        private const string CurrentSet = "Current";
        private const string NameSet = "Name";
        private const string ListSet = "ListAvailable";

        /// <summary>Names given to Connect-RunCloud -Name (wildcards allowed).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Name { get; set; } = System.Array.Empty<string>();

        /// <summary>Every open connection: the default one first, then the named ones by name.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ListSet)]
        public SwitchParameter ListAvailable { get; set; }

        protected override void EndProcessing()
        {
            switch (ParameterSetName)
            {
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
