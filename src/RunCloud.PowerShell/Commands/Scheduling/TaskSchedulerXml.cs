using System;
using System.Globalization;
using System.IO;
using System.Text;
using System.Xml;

namespace RunCloud.PowerShell.Commands.Scheduling
{
    /// <summary>
    /// A task in Task Scheduler's documented XML format (namespace http://schemas.microsoft.com/windows/2004/02/mit/task,
    /// version 1.3: Windows 7 / Server 2008 R2 and later), as Register-ScheduledTask -Xml and schtasks /Create /XML take it:
    /// a time trigger repeating every interval, indefinitely; one Exec action; at most one instance at a time
    /// (IgnoreNew: a run still going makes the next start skip); runs on batteries too; started late after a missed
    /// start. The principal runs whether or not the user is logged on: S4U (no password stored; no access to what DPAPI
    /// protects for that user), Password (the password is given to Register-ScheduledTask, never written here), or a
    /// service account by SID.
    /// </summary>
    internal static class TaskSchedulerXml
    {
        public const string Namespace = "http://schemas.microsoft.com/windows/2004/02/mit/task";

        /// <summary>The well-known service accounts Task Scheduler runs as without a password, by the names people type.</summary>
        internal static string? ServiceAccountSid(string? user) => (user ?? string.Empty).Trim().ToUpperInvariant() switch
        {
            "SYSTEM" or "NT AUTHORITY\\SYSTEM" or "S-1-5-18" => "S-1-5-18",
            "LOCAL SERVICE" or "NT AUTHORITY\\LOCAL SERVICE" or "LOCALSERVICE" or "S-1-5-19" => "S-1-5-19",
            "NETWORK SERVICE" or "NT AUTHORITY\\NETWORK SERVICE" or "NETWORKSERVICE" or "S-1-5-20" => "S-1-5-20",
            _ => null,
        };

        /// <param name="logonType">S4U or Password; ignored for a service account.</param>
        public static string Render(string name, string description, ScheduledCommandLine command, string? user, string logonType, TimeSpan interval, TimeSpan timeLimit, DateTime start)
        {
            var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", Encoding = new UnicodeEncoding(false, false), OmitXmlDeclaration = false };
            var text = new StringWriterWithEncoding(Encoding.Unicode);
            using (XmlWriter w = XmlWriter.Create(text, settings))
            {
                w.WriteStartDocument();
                w.WriteStartElement("Task", Namespace);
                w.WriteAttributeString("version", "1.3");

                w.WriteStartElement("RegistrationInfo", Namespace);
                w.WriteElementString("Author", Namespace, "Register-RunCloudSyncTask (RunCloud.PowerShell)");
                w.WriteElementString("Description", Namespace, description);
                w.WriteElementString("URI", Namespace, "\\" + name);
                w.WriteEndElement();

                w.WriteStartElement("Triggers", Namespace);
                w.WriteStartElement("TimeTrigger", Namespace);
                w.WriteElementString("Enabled", Namespace, "true");
                w.WriteElementString("StartBoundary", Namespace, start.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
                w.WriteStartElement("Repetition", Namespace);
                w.WriteElementString("Interval", Namespace, XmlConvert.ToString(interval));
                w.WriteElementString("StopAtDurationEnd", Namespace, "false");
                w.WriteEndElement();
                w.WriteEndElement();
                w.WriteEndElement();

                w.WriteStartElement("Principals", Namespace);
                w.WriteStartElement("Principal", Namespace);
                w.WriteAttributeString("id", "Author");
                string? sid = ServiceAccountSid(user);
                if (sid != null)
                {
                    w.WriteElementString("UserId", Namespace, sid);
                }
                else
                {
                    if (user != null) w.WriteElementString("UserId", Namespace, user);
                    w.WriteElementString("LogonType", Namespace, logonType);
                }

                w.WriteElementString("RunLevel", Namespace, "LeastPrivilege");
                w.WriteEndElement();
                w.WriteEndElement();

                w.WriteStartElement("Settings", Namespace);
                w.WriteElementString("MultipleInstancesPolicy", Namespace, "IgnoreNew");
                w.WriteElementString("DisallowStartIfOnBatteries", Namespace, "false");
                w.WriteElementString("StopIfGoingOnBatteries", Namespace, "false");
                w.WriteElementString("AllowHardTerminate", Namespace, "true");
                w.WriteElementString("StartWhenAvailable", Namespace, "true");
                w.WriteElementString("RunOnlyIfNetworkAvailable", Namespace, "false");
                w.WriteElementString("AllowStartOnDemand", Namespace, "true");
                w.WriteElementString("Enabled", Namespace, "true");
                w.WriteElementString("Hidden", Namespace, "false");
                w.WriteElementString("ExecutionTimeLimit", Namespace, XmlConvert.ToString(timeLimit));
                w.WriteEndElement();

                w.WriteStartElement("Actions", Namespace);
                w.WriteAttributeString("Context", "Author");
                w.WriteStartElement("Exec", Namespace);
                w.WriteElementString("Command", Namespace, command.Executable);
                w.WriteElementString("Arguments", Namespace, Quoting.WindowsLine(command.Arguments));
                w.WriteEndElement();
                w.WriteEndElement();

                w.WriteEndElement();
                w.WriteEndDocument();
            }

            return text.ToString();
        }

        /// <summary>A StringWriter that declares the encoding the file is written in (UTF-16, as Task Scheduler exports tasks).</summary>
        private sealed class StringWriterWithEncoding : StringWriter
        {
            public StringWriterWithEncoding(Encoding encoding) : base(CultureInfo.InvariantCulture) => Encoding = encoding;

            public override Encoding Encoding { get; }
        }
    }
}
