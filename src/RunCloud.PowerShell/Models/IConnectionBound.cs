namespace RunCloud.PowerShell.Models
{
    /// <summary>
    /// An object the module emits that remembers the connection it was read through (its server/web app ids are its
    /// own properties), so a downstream cmdlet acts on the same account, never the default one.
    /// </summary>
    internal interface IConnectionBound
    {
        IRunCloudConnection? Connection { get; set; }
    }
}
