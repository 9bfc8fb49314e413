namespace RunCloud.PowerShell.Models
{
    /// <summary>
    /// An object the module emits (domain, web app, server, SSL) that remembers the connection it was read through. The
    /// connection is not a public property (it would be serialised by ConvertTo-Json and Export-Csv): cmdlets bind the
    /// typed object from the pipeline and read it internally; Get-RunCloudConnection -InputObject shows it.
    /// </summary>
    public interface IRunCloudObject
    {
    }
}
