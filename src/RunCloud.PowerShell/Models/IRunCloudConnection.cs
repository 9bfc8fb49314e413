namespace RunCloud.PowerShell.Models
{
    /// <summary>
    /// A connection to one RunCloud account, as the output objects see it (RunCloudConnection implements it): lets a
    /// domain, web app, server or SSL object remember where it was read, without Models depending on Session.
    /// </summary>
    public interface IRunCloudConnection
    {
    }
}
